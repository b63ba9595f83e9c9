/**
 * What is wrong with an http.url: not a URL, not http(s), or credentials in it (which the client
 * would not send: they belong in auth.basic.*). Messages never repeat the credentials.
 */
export function httpUrlProblems(field: string, text: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [`${field} is not a URL: ${withoutCredentials(text)}`];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return [`${field} must be an http: or https: URL, not ${url.protocol}`];
  if (url.username !== '' || url.password !== '')
    return [
      `${field} holds credentials (user:password@), which are not sent: set auth.type=basic with auth.basic.username and auth.basic.password instead`,
    ];
  return [];
}

/** `text` with anything between "//" and "@" hidden. */
function withoutCredentials(text: string): string {
  return text.replace(/\/\/[^/?#]*@/, '//[hidden]@');
}
