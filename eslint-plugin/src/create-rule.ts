/** The rule factory every rule of the plugin uses (docs.url: the README section that documents them all). */
import { ESLintUtils } from '@typescript-eslint/utils';

/** What `meta.docs` of a rule of this plugin holds. */
export interface AioRuleDocs {
  /** Whether the rule needs type information (typescript-eslint's `projectService`). */
  requiresTypeChecking?: boolean;
}

/** Makes a rule of this plugin (its `name`: the rule name without the `aio/` prefix). */
export const createRule = ESLintUtils.RuleCreator<AioRuleDocs>(() => `README.md#lint-rules`);
