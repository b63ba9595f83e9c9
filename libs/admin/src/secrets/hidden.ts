/** What a secret value is replaced with in every response. */
export const HIDDEN = '[hidden]';

/** A value made only of ${provider:...} references names where a secret is, not the secret. */
export const ONLY_REFERENCES = /^(?:\$\{[^{}]*\})+$/;
