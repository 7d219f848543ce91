// Types of the standalone validators that scripts/build-steps/generators.cjs generates.
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Readonly<Record<string, unknown>>;
}
export interface Validator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}
/** action name → its params validator */
export declare const byAction: Readonly<Record<string, Validator | undefined>>;
