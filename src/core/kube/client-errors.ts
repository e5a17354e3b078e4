// Reading client-node errors without depending on its classes (they differ across versions).

/** HTTP status of a client-node ApiException, if it is one. */
export function statusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}
