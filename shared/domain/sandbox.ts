/** Sandboxes: the isolation unit every key, campaign, profile and execution belongs to. */
export interface SandboxRecord {
  readonly name: string;
  readonly createdAt: string;
  /** ISO 3166-1 alpha-2; national phone numbers of the sandbox are read in this country. */
  readonly defaultCountry?: string;
  readonly modifiedAt?: string;
}

/** What the hot paths read of a sandbox (through a per-container cache: one item for every call). */
export interface SandboxReader {
  get(name: string): Promise<SandboxRecord | undefined>;
}

export interface SandboxStore extends SandboxReader {
  /** Throws AlreadyExistsError when the name is taken. */
  create(sandbox: SandboxRecord): Promise<void>;
  list(): Promise<SandboxRecord[]>;
  exists(name: string): Promise<boolean>;
  /** Sets (or with null removes) the default country; undefined when there is no such sandbox. */
  setDefaultCountry(name: string, country: string | null, at: string): Promise<SandboxRecord | undefined>;
}
