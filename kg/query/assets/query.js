// The query page of kg serve: named queries from the JSON block above, results shown with textContent only.
const EXAMPLES = JSON.parse(document.getElementById("kg-examples").textContent);
const TYPES = {table: "application/sparql-results+json", json: "application/sparql-results+json",
  xml: "application/sparql-results+xml", csv: "text/csv", tsv: "text/tab-separated-values"};
const $ = (id) => document.getElementById(id);
for (const name of Object.keys(EXAMPLES)) {
  const o = document.createElement("option");
  o.value = name; o.textContent = name; $("examples").appendChild(o);
}
$("examples").onchange = () => {
  const q = EXAMPLES[$("examples").value];
  if (q) { $("query").value = q.query; $("description").textContent = q.description; }
};
function cell(term) {
  if (!term) return "";
  return term.type === "literal" && term["xml:lang"] ? term.value + " @" + term["xml:lang"] : term.value;
}
function table(data) {
  const t = document.createElement("table"), head = t.insertRow();
  if (data.boolean !== undefined) {
    const p = document.createElement("pre"); p.textContent = String(data.boolean); return p;
  }
  for (const v of data.head.vars) {
    const th = document.createElement("th"); th.textContent = v; head.appendChild(th);
  }
  for (const b of data.results.bindings) {
    const r = t.insertRow();
    for (const v of data.head.vars) r.insertCell().textContent = cell(b[v]);
  }
  return t;
}
async function run() {
  const fmt = $("format").value, started = performance.now();
  $("status").textContent = "running…"; $("result").replaceChildren();
  try {
    const accept = TYPES[fmt] + ", text/turtle;q=0.5";
    const headers = {"Content-Type": "application/sparql-query", "Accept": accept};
    const r = await fetch("sparql", {method: "POST", body: $("query").value, headers: headers});
    const text = await r.text(), ms = Math.round(performance.now() - started);
    if (!r.ok) {
      const e = document.createElement("div"); e.className = "error"; e.textContent = r.status + ": " + text;
      $("result").appendChild(e); $("status").textContent = ms + " ms"; return;
    }
    const cut = r.headers.get("X-Result-Truncated") === "true";
    let out;
    const json = (r.headers.get("Content-Type") || "").includes("json");
    if (fmt === "table" && json) out = table(JSON.parse(text));
    else { out = document.createElement("pre"); out.textContent = text; }
    $("result").appendChild(out);
    const rows = out.tagName === "TABLE" ? (out.rows.length - 1) + " rows, " : "";
    $("status").textContent = rows + ms + " ms" + (cut ? " (truncated at the row limit)" : "");
  } catch (err) { $("status").textContent = String(err); }
}
$("run").onclick = run;
$("query").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run();
});
