export declare function postgresTwin(schemaText: string): string;
