export {};
//# sourceMappingURL=server-kind.js.map