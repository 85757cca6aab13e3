"""The Clinics page's template and styles (``hub.console.fleet``), loaded by
``hub.console.templates`` beside the others.

A flag is never colour alone: its cell says "Problem:" or "Check:" and why, in words, and the
clinic's row header counts them, so a screen reader going down the first column hears which
clinics need a visit. Long words may break, so the table fits a narrow window (150 % zoom)
without scrolling sideways.
"""

from __future__ import annotations

from typing import Final

STYLE: Final = """
table.fleet th, table.fleet td { overflow-wrap: break-word; hyphens: auto; }
table.fleet td.flag-problem { border-left: 0.3rem solid #a4000f; }
table.fleet td.flag-check { border-left: 0.3rem solid #8a5a00; }
table.fleet .why { display: block; font-size: 0.9rem; }
table.fleet .flag-problem .why strong { color: #a4000f; }
table.fleet .flag-check .why strong { color: #6b4500; }
table.fleet th[scope="row"] .hint { font-weight: 400; }
"""

_CLINICS: Final = """{% extends "base.html" %}
{% block title %}Clinics{% endblock %}
{% macro cell(c) %}
<td{% if c.flag %} class="flag-{{ c.flag.level }}"{% endif %}>{{ c.text }}
  {%- if c.detail %}<span class="hint">{{ c.detail }}</span>{% endif %}
  {%- if c.flag %}<span class="why"><strong>
    {{- "Problem" if c.flag.level == "problem" else "Check" }}:</strong> {{ c.flag.why }}</span>
  {%- endif %}</td>
{% endmacro %}
{% block main %}
<h1>Clinics</h1>
<p>Each clinic's PC reports its health at the end of every sync. Clinics that need a visit
  come first. <a href="{{ base }}/clinics">Refresh</a>
  <span class="muted">(shown {{ now | when }})</span></p>
{% if rows %}
{% set needs = "clinic needs" if to_visit == 1 else "clinics need" %}
<p>{% if to_visit %}<strong>{{ to_visit }} {{ needs }} a visit.</strong>
  {%- else %}No clinic needs a visit.{% endif %}</p>
<div class="table-wrap">
<table class="fleet">
  <caption class="muted">{{ rows | length }} clinic{{ "s" if rows | length != 1 }} enrolled;
    values as each last reported</caption>
  <thead><tr>
    <th scope="col">Clinic</th><th scope="col">App version</th><th scope="col">Last sync</th>
    <th scope="col">Waiting to sync</th><th scope="col">Clock</th>
    <th scope="col">Free disk</th><th scope="col">System</th>
  </tr></thead>
  <tbody>
  {% for r in rows %}
    <tr id="clinic-{{ r.spoke_id }}">
      <th scope="row">{{ r.name }}<span class="hint">{{ r.summary }}</span></th>
      {{ cell(r.version) }}{{ cell(r.last_sync) }}{{ cell(r.backlog) }}
      {{- cell(r.clock) }}{{ cell(r.disk) }}{{ cell(r.os) }}
    </tr>
  {% endfor %}
  </tbody>
</table>
</div>
{% else %}
<p>No clinic has enrolled yet. <a href="{{ base }}/enrol">Enrol a clinic</a>.</p>
{% endif %}
{% endblock %}
"""

TEMPLATES: Final = {"clinics.html": _CLINICS}
