/** One refused field of a request: where it is and the rule it broke (a problem document's `errors[]`). */
export interface FieldIssue {
  /** JSON path of the offending field, e.g. `recipients[3].userId` or `body` for the whole. */
  readonly path: string;
  /** The rule that failed, in words a client developer can act on. */
  readonly message: string;
}
