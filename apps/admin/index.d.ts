/** Absolute path of the built console (`apps/admin/dist/`), ending with a slash. */
export declare const adminDistDir: string
