import "./style.css";
import { errorBox } from "./dom";
import { comparePage } from "./pages/compare";
import { experimentsPage } from "./pages/experiments";
import { runPage } from "./pages/run";
import { runsPage } from "./pages/runs";
import { current, Route } from "./route";

/** Pages by the first segment of the hash route. A later feature (datasets, registry, …) adds its pages here. */
const pages: Record<string, (route: Route) => Promise<HTMLElement>> = {
  "": experimentsPage,
  experiments: runsPage,
  runs: runPage,
  compare: comparePage,
};

let rendering = 0;

async function render(): Promise<void> {
  const route = current();
  const ticket = ++rendering;
  const app = document.getElementById("app")!;
  app.setAttribute("aria-busy", "true");
  const page = pages[route.parts[0] ?? ""];
  const content = page ? await page(route).catch((e: Error) => errorBox(e.message)) : errorBox(`No page ${route.path}`);
  if (ticket !== rendering) return; // a newer navigation won
  app.replaceChildren(content);
  app.setAttribute("aria-busy", "false");
  document.title = `Kiln · ${content.querySelector("h1")?.textContent ?? ""}`;
}

window.addEventListener("hashchange", () => void render());
void render();
