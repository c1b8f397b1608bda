/** Hash routes (#/experiments/1?filter=…): every view's state is in the URL, so it can be bookmarked and shared. */
export interface Route { path: string; parts: string[]; query: URLSearchParams }

export function current(): Route {
  const hash = window.location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = hash.split("?");
  return { path, parts: path.split("/").filter(Boolean), query: new URLSearchParams(search) };
}

/** Navigates to a path with query parameters (undefined ones dropped). */
export function go(path: string, query: Record<string, string | undefined> = {}): void {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.set(k, v);
  const qs = params.toString();
  window.location.hash = path + (qs ? "?" + qs : "");
}

/** Updates query parameters of the current view in the URL without re-rendering it (for settings a page applies itself). */
export function remember(route: Route, changes: Record<string, string | undefined>): void {
  const params = new URLSearchParams(route.query);
  for (const [k, v] of Object.entries(changes)) if (v === undefined || v === "") params.delete(k); else params.set(k, v);
  route.query = params;
  const qs = params.toString();
  history.replaceState(null, "", "#" + route.path + (qs ? "?" + qs : ""));
}
