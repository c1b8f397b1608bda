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
