/** The manifest (the plugin's package.json): what the console reads without running plugin code. */
export {};
//# sourceMappingURL=manifest.js.map