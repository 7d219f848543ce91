// Types of the standalone validator that scripts/build-steps/generators.cjs generates.
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Readonly<Record<string, unknown>>;
}
declare function validate(data: unknown): boolean;
declare namespace validate {
  let errors: SchemaError[] | null | undefined;
}
export default validate;
