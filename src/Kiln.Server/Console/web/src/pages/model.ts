import { ApiError, KeyValue } from "../api";
import { chips, errorBox, formatStat, formatTime, h } from "../dom";
import {
  AliasEvent, auditHref, decide, gateSpec, GateSpec, getModel, listPromotions, listVerdicts, modelVersionHref, ModelVersion, promote, Promotion,
  RegisteredModel, rollback, runHref, searchVersions, Verdict, aliasHistory,
} from "../registry";
import { aliasChips } from "./models";

const tagRecord = (tags: KeyValue[] | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));
const message = (e: unknown) => (e as Error).message;
const value = (v: number | null | undefined) => (v === null || v === undefined ? "—" : formatStat(v));

/** A model: its aliases and the controls that move them, its versions, the history of its aliases, its gate verdicts and its gate. */
export async function modelPage(name: string): Promise<HTMLElement> {
  const page = h("section", { class: "page" });
  await fill(page, name);
  return page;
}

/** (Re)draws the page from the server; after a promotion or rollback the page is drawn again with a notice of what moved. */
async function fill(page: HTMLElement, name: string, notice?: HTMLElement): Promise<void> {
  const crumbs = h("p", { class: "crumbs" }, h("a", { href: "#/models" }, "Models"), ` / ${name}`);
  let model: RegisteredModel;
  try {
    model = (await getModel(name)).registered_model;
  } catch (e) {
    page.replaceChildren(crumbs, errorBox(message(e)));
    return;
  }
  const [versions, history, verdicts, spec, promotions] = await Promise.allSettled([
    searchVersions(name), aliasHistory(name), listVerdicts(name), gateSpec(name), listPromotions(name)]);
  const events = history.status === "fulfilled" ? history.value.events : [];
  const all = versions.status === "fulfilled" ? versions.value.model_versions ?? [] : [];
  const current = spec.status === "fulfilled" ? spec.value : undefined;
  const reload = (note: HTMLElement) => fill(page, name, note);

  page.replaceChildren(crumbs,
    h("h1", {}, name),
    h("p", { id: "description", class: "wrap" }, model.description || h("span", { class: "muted" }, "No description.")),
    h("p", { class: "muted" }, `created ${formatTime(model.creation_timestamp)} · last updated ${formatTime(model.last_updated_timestamp)} · `,
      chips(tagRecord(model.tags)), h("a", { href: auditHref(`models/${name}`), id: "audit-link" }, "Audit log")),
    h("h2", {}, "Aliases"),
    model.aliases?.length ? h("p", { id: "aliases" }, aliasChips(name, model.aliases))
      : h("p", { id: "aliases" }, `No aliases yet: promote a version through its gate with kiln models promote ${name} VERSION --alias champion.`),
    actions(name, model, all, events, current, reload, notice));

  page.append(h("h2", {}, `Versions (${all.length})`), versions.status === "rejected" ? errorBox(message(versions.reason)) : versionsTable(name, all));
  page.append(h("h2", {}, "Alias history"), history.status === "rejected" ? errorBox(message(history.reason)) : historyTable(name, events));
  page.append(h("h2", {}, "Gate verdicts"), verdicts.status === "rejected" ? errorBox(message(verdicts.reason)) : verdictCards(name, verdicts.value.verdicts));

  page.append(h("h2", {}, "Gate"));
  if (spec.status === "rejected") {
    const missing = spec.reason instanceof ApiError && spec.reason.code === "RESOURCE_DOES_NOT_EXIST";
    page.append(missing ? h("p", { id: "gate-spec" }, `No gate yet: save one with kiln models gate-spec ${name} gate.yaml.`) : errorBox(message(spec.reason)));
  } else {
    page.append(h("div", { id: "gate-spec" },
      h("p", { class: "muted" }, `${current!.gate_id} · guards ${current!.alias} · saved by ${current!.user} · ${formatTime(current!.created_at)}`),
      h("pre", {}, current!.yaml)));
  }

  if (promotions.status === "rejected") page.append(errorBox(message(promotions.reason)));
  else if (promotions.value.promotions.length) page.append(h("h2", {}, "Promotions awaiting or given approval"), promotionsTable(name, promotions.value.promotions, reload));
}

/** Promote (a version to an alias, optionally forced with a reason) and Rollback (an alias to its previous holder): each asks first, then the server decides. */
function actions(name: string, model: RegisteredModel, versions: ModelVersion[], events: AliasEvent[], spec: GateSpec | undefined,
  reload: (note: HTMLElement) => Promise<void>, notice?: HTMLElement): HTMLElement {
  const holders = new Map((model.aliases ?? []).map((a) => [a.alias, Number(a.version)]));
  const result = h("div", { id: "action-result" }, notice ?? null);
  const report = (e: unknown) => result.replaceChildren(errorBox(message(e)));
  const done = (text: string) => h("div", { class: "notice", role: "status" }, text);

  const version = h("select", { id: "promote-version", "aria-label": "version to promote" },
    ...versions.map((v) => h("option", { value: v.version }, `v${v.version}`))) as HTMLSelectElement;
  const alias = h("input", { type: "text", id: "promote-alias", "aria-label": "alias", value: spec?.alias ?? model.aliases?.[0]?.alias ?? "champion", size: 12, list: "known-aliases" }) as HTMLInputElement;
  const known = h("datalist", { id: "known-aliases" }, ...[...new Set([...(spec ? [spec.alias] : []), ...holders.keys()])].map((a) => h("option", { value: a })));
  const force = h("input", { type: "checkbox", id: "promote-force" }) as HTMLInputElement;
  const reason = h("input", { type: "text", id: "promote-reason", placeholder: "reason (needed with force)", size: 28, "aria-label": "promotion reason" }) as HTMLInputElement;
  const promoteButton = h("button", { id: "promote", type: "button" }, "Promote") as HTMLButtonElement;
  promoteButton.addEventListener("click", async () => {
    const v = Number(version.value), a = alias.value.trim(), why = reason.value.trim();
    if (!version.value) return;
    const holder = holders.get(a);
    const question = (holder === undefined ? `Point ${a} of ${name} at version ${v}? No version holds it now.` : `Move ${a} of ${name} from version ${holder} to version ${v}?`)
      + (force.checked ? ` This bypasses the gate (forced${why ? `: ${why}` : ""}).` : "");
    if (!window.confirm(question)) return;
    promoteButton.disabled = true;
    try {
      const r = await promote(name, v, a, force.checked, why || undefined);
      await reload(r.pending
        ? done(`The promotion of version ${v} to ${a} waits for approval by someone else (requested by ${r.pending.requested_by}).`)
        : done(`${a} of ${name}: ${holder === undefined ? "no version" : `version ${holder}`} → version ${r.moved?.version}.`));
    } catch (e) {
      report(e);
    } finally {
      promoteButton.disabled = false;
    }
  });

  const rollbackAlias = h("select", { id: "rollback-alias", "aria-label": "alias to roll back" },
    ...[...holders.keys()].map((a) => h("option", { value: a }, a))) as HTMLSelectElement;
  const rollbackReason = h("input", { type: "text", id: "rollback-reason", placeholder: "reason", size: 28, "aria-label": "rollback reason" }) as HTMLInputElement;
  const rollbackButton = h("button", { id: "rollback", type: "button", disabled: holders.size === 0 }, "Rollback") as HTMLButtonElement;
  rollbackButton.addEventListener("click", async () => {
    const a = rollbackAlias.value, holder = holders.get(a);
    // the version the current holder took over from, as the server will find it: the last move to the holder
    const previous = [...events].reverse().find((e) => e.alias === a && e.version === holder)?.previous_version;
    const question = previous === undefined || previous === null
      ? `Roll back ${a} of ${name} from version ${holder}? The history names no earlier holder.`
      : `Move ${a} of ${name} from version ${holder} back to version ${previous}?`;
    if (!window.confirm(question)) return;
    rollbackButton.disabled = true;
    try {
      const r = await rollback(name, a, rollbackReason.value.trim() || undefined);
      await reload(done(`${a} of ${name}: version ${r.moved.previous_version} → version ${r.moved.version} (rollback).`));
    } catch (e) {
      report(e);
    } finally {
      rollbackButton.disabled = false;
    }
  });

  return h("section", { id: "actions", class: "actions" },
    h("div", { class: "toolbar" }, h("strong", {}, "Promote"), version, h("label", {}, "to ", alias), known,
      h("label", {}, force, " force"), reason, promoteButton),
    h("div", { class: "toolbar" }, h("strong", {}, "Rollback"), holders.size ? rollbackAlias : h("span", { class: "muted" }, "no alias to roll back"),
      rollbackReason, rollbackButton),
    h("p", { class: "muted note" }, "The server decides: a version reaches an alias only with a passing gate verdict against the current holder, or forced with a reason."),
    result);
}

function versionsTable(name: string, versions: ModelVersion[]): HTMLElement {
  if (!versions.length) return h("p", { id: "versions" }, `No versions yet: kiln models register ${name} runs:/RUN_ID/model.`);
  const table = h("table", { class: "grid", id: "versions" }, h("thead", {}, h("tr", {},
    ...["Version", "Aliases", "Stage", "Created", "User", "Source run", "Description"].map((c) => h("th", {}, c)))));
  table.append(h("tbody", {}, ...versions.map((v) => h("tr", { dataset: { version: v.version } },
    h("td", {}, h("a", { href: modelVersionHref(name, v.version) }, `v${v.version}`)),
    h("td", {}, aliasChips(name, (v.aliases ?? []).map((a) => ({ alias: a, version: v.version })))),
    h("td", {}, v.current_stage),
    h("td", {}, formatTime(v.creation_timestamp)),
    h("td", {}, v.user_id ?? ""),
    h("td", {}, v.run_id ? h("a", { href: runHref(v.run_id), class: "mono", title: v.source }, v.run_id.slice(0, 12)) : h("span", { class: "mono muted", title: v.source }, v.source)),
    h("td", { class: "wrap" }, v.description)))));
  return table;
}

const versionLink = (name: string, v: number | null) => (v === null || v === undefined ? "—" : h("a", { href: modelVersionHref(name, v) }, `v${v}`));

/** Every alias move, newest first. */
function historyTable(name: string, events: AliasEvent[]): HTMLElement {
  if (!events.length) return h("p", { id: "history" }, "No alias has moved yet.");
  const table = h("table", { class: "grid", id: "history" }, h("thead", {}, h("tr", {},
    ...["Time", "Alias", "Version", "Previous", "Action", "User", "Reason"].map((c) => h("th", {}, c)))));
  table.append(h("tbody", {}, ...[...events].reverse().map((e) => h("tr", { dataset: { action: e.action, alias: e.alias } },
    h("td", { title: e.time_iso }, formatTime(e.time)),
    h("td", {}, e.alias),
    h("td", {}, versionLink(name, e.version)),
    h("td", {}, versionLink(name, e.previous_version)),
    h("td", {}, e.action),
    h("td", {}, e.user),
    h("td", { class: "wrap" }, e.reason ?? "")))));
  return table;
}

/** The stored verdicts side by side, newest first: each check with the candidate's and the holder's value and the bound. */
function verdictCards(name: string, verdicts: Verdict[]): HTMLElement {
  if (!verdicts.length) return h("p", { id: "verdicts" }, `No gate verdicts yet: kiln models gate ${name} VERSION --data ….`);
  const sorted = [...verdicts].sort((a, b) => b.created_at - a.created_at);
  return h("div", { class: "verdicts", id: "verdicts" }, ...sorted.map((v) => {
    const holder = v.holder_version ?? v.result.holder_version ?? null;
    const checks = h("table", { class: "grid checks" }, h("thead", {}, h("tr", {},
      ...["check", "candidate", holder === null ? "holder" : `holder (v${holder})`, "bound", "passed", "note"].map((c) => h("th", {}, c)))),
      h("tbody", {}, ...v.result.checks.map((c) => h("tr", { class: c.passed ? undefined : "failed", dataset: { check: c.check } },
        h("td", { class: "mono" }, c.check),
        h("td", { class: "num", title: c.candidate === null ? "" : String(c.candidate) }, value(c.candidate)),
        h("td", { class: "num", title: c.holder === null ? "" : String(c.holder) }, value(c.holder)),
        h("td", { class: "num", title: c.bound === null ? "" : String(c.bound) }, value(c.bound)),
        h("td", {}, h("span", { class: "badge " + (c.passed ? "passed" : "failed") }, c.passed ? "yes" : "no")),
        h("td", { class: "wrap" }, c.note ?? "")))));
    return h("article", { class: "verdict", dataset: { version: String(v.version), passed: String(v.passed), id: v.id } },
      h("header", {}, h("a", { href: modelVersionHref(name, v.version) }, `Version ${v.version}`), ` for ${v.alias} `,
        h("span", { class: "badge " + (v.passed ? "passed" : "failed") }, v.passed ? "PASSED" : "FAILED")),
      h("p", { class: "muted" }, `${holder === null ? "no holder to compare with" : `against v${holder}`} · ${v.user} · ${formatTime(v.created_at)} · runs: `,
        h("a", { href: runHref(v.result.candidate_run) }, "candidate"),
        v.result.holder_run ? " " : null, v.result.holder_run ? h("a", { href: runHref(v.result.holder_run) }, "holder") : null),
      h("p", { class: "muted data", title: v.result.data }, `on ${v.result.data}`),
      checks);
  }));
}

/** Promotions filed under requires_approval; a pending one can be approved (by someone other than its requester) or rejected. */
function promotionsTable(name: string, promotions: Promotion[], reload: (note: HTMLElement) => Promise<void>): HTMLElement {
  const box = h("div", {});
  const decideButton = (p: Promotion, reject: boolean) => {
    const b = h("button", { type: "button", class: reject ? "reject" : "approve" }, reject ? "Reject" : "Approve") as HTMLButtonElement;
    b.addEventListener("click", async () => {
      if (!window.confirm(`${reject ? "Reject" : "Approve"} the promotion of version ${p.version} to ${p.alias} of ${name}?`)) return;
      b.disabled = true;
      try {
        const r = await decide(name, p.alias, reject);
        await reload(h("div", { class: "notice", role: "status" }, `The promotion of version ${p.version} to ${p.alias} is ${r.promotion.status.toLowerCase()}.`));
      } catch (e) {
        box.prepend(errorBox(message(e)));
        b.disabled = false;
      }
    });
    return b;
  };
  const table = h("table", { class: "grid", id: "promotions" }, h("thead", {}, h("tr", {},
    ...["Version", "Alias", "Status", "Requested by", "Requested", "Forced", "Reason", "Decided by", ""].map((c) => h("th", {}, c)))),
    h("tbody", {}, ...promotions.map((p) => h("tr", { dataset: { status: p.status } },
      h("td", {}, versionLink(name, p.version)), h("td", {}, p.alias), h("td", {}, p.status), h("td", {}, p.requested_by),
      h("td", {}, formatTime(p.requested_at)), h("td", {}, p.forced ? "yes" : ""), h("td", { class: "wrap" }, p.reason ?? ""),
      h("td", {}, p.decided_by ? `${p.decided_by} · ${formatTime(p.decided_at)}` : ""),
      h("td", {}, p.status === "PENDING" ? h("span", { class: "chips" }, decideButton(p, false), " ", decideButton(p, true)) : "")))));
  box.append(table);
  return box;
}
