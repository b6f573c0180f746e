/** One page of a listing, with the opaque cursor of the next page when there is one. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}
