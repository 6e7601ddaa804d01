/** A module of Ink's build/ swapped for porthole's. */
export type InkModuleSwap = {replaces: string; by: string; why: string};
/** A package given porthole's module instead. */
export type PackageAlias = {name: string; by: string; why: string};

export const inkModuleSwaps: readonly InkModuleSwap[];
export const packageAliases: readonly PackageAlias[];
export const inkImporters: readonly string[];
export function isInkModule(importer: string): boolean;
export function inkModuleSwap(
  specifier: string,
  importer: string | undefined,
): InkModuleSwap | undefined;
