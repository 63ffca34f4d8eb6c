/** The rule factory every rule of the plugin uses (docs.url points at the README section). */
import { ESLintUtils } from '@typescript-eslint/utils';

/** What `meta.docs` of a rule of this plugin holds. */
export interface AioRuleDocs {
  /** Whether the rule needs type information (typescript-eslint's `projectService`). */
  requiresTypeChecking?: boolean;
}

/** Makes a rule of this plugin; `name` is the rule name without the plugin prefix. */
export const createRule = ESLintUtils.RuleCreator<AioRuleDocs>((name) => `README.md#lint-rules (aio/${name})`);
