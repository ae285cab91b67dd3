// Types of tls.mjs (the tests make a second CA with it).
export declare const TLS_SERVER_NAME: string;
export declare function tlsPaths(dir: string): { base: string; ca: string; caKey: string; cert: string; key: string };
export declare function makeCa(base: string, subject: string): { ca: string; caKey: string };
export declare function ensureTls(dir: string): { base: string; ca: string; caKey: string; cert: string; key: string };
