/** What the API and the browser see in place of a stored secret. Sending it back unchanged keeps the secret. */
export const SECRET_MASK = "********";
