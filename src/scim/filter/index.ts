// Public face of the filter pipeline: parse, print, and the AST types.
export type { AttrPath, CompareOp, CompValue, FilterNode, PatchPath } from './ast'
export { parseFilter, parseValueFilter, DEFAULT_FILTER_LIMITS, type FilterLimits } from './parser'
export { printFilter } from './print'
export { parseAttrPath, printAttrPath } from './attr-path'
