/** The message to show for any thrown value. */
export function errorMessageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
