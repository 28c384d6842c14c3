// `search=` (full-text search, IR 1.4: docs/query-language.md, "Search"). The FastAPI runtime
// serves it (a GIN index and ts_rank on PostgreSQL); this server does not yet, so it refuses it
// with the runtime's own 400 for a model that declares no search, and a 400 saying so for one
// that does: never a list that silently ignores the search (docs/express.md, "Search").
import type { ModelMeta } from "./meta.js";
import { badParameter } from "./problem.js";

export const SEARCH_PARAMETER = "search";

/** Throws the 400 of a list request that names `search`; returns when it does not. */
export function refuseSearch(model: ModelMeta, params: ReadonlyMap<string, string>): void {
  if (!params.has(SEARCH_PARAMETER)) return;
  if (model.search === null) {
    throw badParameter(SEARCH_PARAMETER, `${model.name} has no full-text search; declare its searched fields `
      + `in fastbackend.yaml (models.${model.name}.search)`);
  }
  throw badParameter(SEARCH_PARAMETER, "full-text search is not served by the Express server yet; "
    + "the FastAPI runtime serves it (docs/express.md, \"Search\")");
}
