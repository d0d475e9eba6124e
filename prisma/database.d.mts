export interface ResolvedDatabase {
  provider: "sqlite" | "postgresql";
  /** The URL handed to the driver adapter (SQLite paths made absolute). */
  url: string;
  /** Absolute SQLite file path; null for PostgreSQL. */
  filePath: string | null;
  schemaPath: string;
  migrationsPath: string;
}
export declare const projectRoot: string;
export declare const defaultSqlitePath: string;
export declare function resolveDatabase(rawUrl: string | undefined): ResolvedDatabase;
