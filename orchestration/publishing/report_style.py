"""The annual report's stylesheet, inlined into the page: screen and A4 print, system fonts only."""

CSS = """
:root { --ink: #1f2328; --muted: #57606a; --rule: #d0d7de; --accent: #0b5394; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 62rem; padding: 1.5rem; color: var(--ink); line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 1.5rem; }
.organisatie { color: var(--accent); font-weight: 600; margin: 0; }
h1 { margin: .2rem 0 .8rem; font-size: 1.9rem; }
h2 { color: var(--accent); border-bottom: 1px solid var(--rule); padding-bottom: .2rem; margin-top: 2.5rem; }
.modus { padding: .6rem .8rem; border-left: 6px solid; margin: 0 0 1rem; }
.modus-intern .modus { border-color: #b3261e; background: #fdecea; }
.modus-openbaar .modus { border-color: #1a7f37; background: #e9f7ef; }
nav ol { display: flex; flex-wrap: wrap; gap: .3rem 1.6rem; list-style-position: inside; padding: 0; margin: 0 0 1rem; }
tbody th[scope=row] { min-width: 14rem; }
figure { margin: 1.2rem 0 1.8rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: .4rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid var(--rule); }
thead th { border-bottom: 2px solid var(--ink); vertical-align: bottom; }
th { text-align: left; font-weight: normal; }
thead th, tr.totaal th, tr.totaal td { font-weight: 600; }
td, th.getal { text-align: right; }
tr.totaal th, tr.totaal td { border-top: 2px solid var(--ink); }
tr.rubriek th { font-weight: 600; padding-top: .8rem; }
td.afgeschermd { color: var(--muted); font-style: italic; }
.bron { color: var(--muted); font-size: .9rem; margin: .4rem 0 0; }
.opmerkingen { color: var(--muted); font-size: .9rem; margin: .3rem 0 0; padding-left: 1.2rem; }
.grafiek { max-width: 100%; height: auto; }
.oogopslag-raster { display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: 1rem 2rem; }
table.oogopslag { width: 100%; }
@page { size: A4; margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  h2 { break-after: avoid; }
  figure, table, .oogopslag-raster { break-inside: avoid; }
  .modus { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""
