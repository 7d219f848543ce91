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
export declare const validatePeerRecordV1: Validator;
export declare const validateClientCerts: Validator;
export declare const validateLegacyPeer: Validator;
export declare const validatePeerMemory: Validator;
