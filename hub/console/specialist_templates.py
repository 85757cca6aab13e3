"""The specialist's page templates (``hub.console.specialist``), registered with the others
in ``templates.ENV``. The same rules as there: semantic HTML, a label for every input, usable
with the keyboard alone and at any zoom; the one script (the queue's count) is an extra."""

from __future__ import annotations

from typing import Final

STYLE: Final = """
.band { display: inline-block; padding: 0 0.4rem; border-radius: 0.2rem; font-weight: 700; }
.band-immediate { background: #a4000f; color: #fff; }
.band-urgent { background: #8a4b00; color: #fff; }
.band-routine { background: #e8e8e8; color: #1b1b1b; }
.flag-urgent, .flag-impossible { color: #a4000f; font-weight: 700; }
.flag-abnormal { color: #8a4b00; font-weight: 700; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
dl.facts dd.text { white-space: pre-wrap; }
.cols { display: flex; flex-wrap: wrap; gap: 0 2.5rem; }
.cols > section { flex: 1 1 24rem; min-width: 0; }
.thumb { max-width: 16rem; max-height: 12rem; border: 0.05rem solid #c8c8c8; }
ul.plain { list-style: none; padding: 0; }
.thread li { border-left: 0.3rem solid #c8c8c8; padding-left: 0.6rem; margin-bottom: 0.6rem; }
.thread li.hub { border-color: #0b4fa0; }
textarea { font: inherit; width: 100%; max-width: 48rem; padding: 0.3rem 0.4rem;
           border: 0.1rem solid #767676; border-radius: 0.2rem; }
fieldset.item { max-width: 60rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr));
        gap: 0 1rem; }
.grid label { margin-top: 0.5rem; }
.grid input, .grid select { width: 100%; box-sizing: border-box; }
.check { margin: 0.6rem 0 0; }
.check label { display: inline; font-weight: 400; margin-left: 0.3rem; }
caption { text-align: left; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; margin-top: 1rem; }
[aria-invalid="true"] { border-color: #a4000f; border-width: 0.15rem; }
.ok { border-left: 0.3rem solid #1d7a35; padding-left: 0.6rem; font-weight: 600; }
"""

QUEUE: Final = """{% extends "base.html" %}
{% block title %}Queue{% endblock %}
{% block main %}
<h1>Cases waiting</h1>
<form method="get" action="{{ base }}/queue" class="cols">
  <div>
  <label for="specialty">Specialty</label>
  <select id="specialty" name="specialty">
    <option value="all"{% if chosen == "all" %} selected{% endif %}>All specialties</option>
    {% for s in specialties %}
    <option value="{{ s.key }}"{% if chosen == s.key %} selected{% endif %}>{{ s.name }}</option>
    {% endfor %}
  </select>
  <button type="submit">Show</button>
  </div>
</form>
<p id="queue-count" role="status" data-count="{{ rows | length }}"
   data-url="{{ base }}/queue/count?specialty={{ chosen | urlencode }}"
   data-poll="{{ poll_ms }}">
  <span id="count-text">{{ rows | length }} case{{ "s" if rows | length != 1 }} waiting</span>
  <a id="queue-changed" href="{{ base }}/queue?specialty={{ chosen | urlencode }}" hidden>
    The queue has changed: show it now</a>
</p>
{% if rows %}
<div class="table-wrap">
<table id="queue">
  <caption class="muted">Most urgent first: emergency or NEWS2 7+, then urgent or NEWS2 5-6
    or a single red score, then the rest; within each, the higher NEWS2, then the longest
    waiting.</caption>
  <thead><tr>
    <th scope="col">Urgency</th><th scope="col">Patient</th><th scope="col">Complaint</th>
    <th scope="col">Clinic</th><th scope="col">Waiting</th><th scope="col">Status</th>
  </tr></thead>
  <tbody>
  {% for row in rows %}
    <tr>
      <td><span class="band band-{{ row.band }}">{{ row.band | capitalize }}</span>
        {% if row.news2 and not row.news2.applicable %}<br>No NEWS2 under 16
        {% elif row.news2 %}<br>NEWS2 {{ row.news2.total }}
          {%- if row.news2.red %}, a red score{% endif %}
          {%- if row.news2.partial %} (partial){% endif %}{% endif %}
        {% if row.priority != "routine" %}<br>{{ row.priority | capitalize }}{% endif %}</td>
      <th scope="row"><a href="{{ base }}/cases/{{ row.case_id }}">{{ row.patient_name }}</a>
        <span class="hint">{{ row.sex | capitalize }}{% if row.age_years is not none %},
          {{ row.age_years }} y{% endif %}
          {%- if chosen == "all" %} · {{ specialty_names.get(row.specialty, row.specialty) }}
          {%- endif %}</span></th>
      <td>{{ row.chief_complaint }}</td>
      <td>{{ row.spoke_name }}</td>
      <td class="num">{{ row.waiting }}</td>
      <td>{% if row.claim %}Taken by {{ row.claim.display_name }}{% endif %}
        {% if row.status == "prescribed" %}<br><strong>Prescribed; the clinic asks about
          it</strong>
        {% elif row.last_message_from == "hub" %}<br>Waiting for the clinic's answer
        {% elif row.last_message_from == "spoke" %}<br><strong>The clinic wrote</strong>
        {% endif %}
        {% if row.attachments %}<br>{{ row.attachments }} attachment
          {{- "s" if row.attachments != 1 }}{% endif %}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>
</div>
{% else %}
<p>No case is waiting{% if chosen != "all" %} for
  {{ specialty_names.get(chosen, chosen) }}{% endif %}.</p>
{% endif %}
{% endblock %}
{% block script %}
<script nonce="{{ nonce }}">
(function () {
  var box = document.getElementById("queue-count");
  var text = document.getElementById("count-text");
  var changed = document.getElementById("queue-changed");
  if (!box || !window.fetch) { return; }
  var shown = Number(box.dataset.count), url = box.dataset.url;
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body || typeof body.count !== "number") { return; }
        text.textContent = body.count + (body.count === 1 ? " case" : " cases") + " waiting";
        changed.hidden = body.count === shown;
      })
      .catch(function () {});
  }
  window.setInterval(poll, Number(box.dataset.poll) || 3000);
})();
</script>
{% endblock %}
"""

CASE: Final = """{% extends "base.html" %}
{% block title %}{{ p.name or "Case" }}{% endblock %}
{% block main %}
<h1>{{ p.name or "Unknown patient" }}
  <span class="hint">{{ p.sex | capitalize }}
  {%- if r.age_years is not none %}, {{ r.age_years }} years{% endif %} · {{ r.spoke_name }}
  · {{ specialty_names.get(c.specialty, c.specialty) }}</span></h1>
<p><span class="band band-{{ r.band }}">{{ r.band | capitalize }}</span>
  {{ c.priority | capitalize }} priority{% if waiting %}, waiting {{ waiting }}{% endif %}.
  Case status: {{ r.status | replace("_", " ") }}.</p>

<section aria-labelledby="claim-heading">
<h2 id="claim-heading" class="visually-hidden">Who has this case</h2>
<form method="post" action="{{ base }}/cases/{{ r.case_id }}/claim" class="actions">
  <input type="hidden" name="csrf" value="{{ csrf }}">
  {% if not r.claim %}
  <span>No specialist has taken this case.</span>
  <button type="submit" name="do" value="take">Take this case</button>
  {% elif r.claim.username == user.username %}
  <span>You have this case (since {{ r.claim.claimed_at | when }}).</span>
  <button class="quiet" type="submit" name="do" value="release">Let it go back to the queue
  </button>
  {% else %}
  <span>{{ r.claim.display_name }} has this case (since {{ r.claim.claimed_at | when }}).</span>
  <button class="quiet" type="submit" name="do" value="take_over">Take it over</button>
  {% endif %}
  {% if r.status not in ("cancelled",) %}
  <a href="{{ base }}/cases/{{ r.case_id }}/prescribe">Write the prescription</a>
  {% endif %}
</form>
</section>

<div class="cols">
<section aria-labelledby="complaint-heading">
  <h2 id="complaint-heading">Complaint</h2>
  <dl class="facts">
    <dt>Chief complaint</dt><dd class="text">{{ c.chief_complaint }}</dd>
    <dt>History</dt><dd class="text">{{ c.history or "—" }}</dd>
    <dt>Examination</dt><dd class="text">{{ c.examination or "—" }}</dd>
    {% if c.consent %}{% set who = c.consent %}<dt>Consent</dt>
    <dd>{{ who.method | capitalize }}, by {{ who.given_by }}
      {%- if who.relationship and who.relationship != "self" %} ({{ who.relationship }})
      {%- endif %}</dd>{% endif %}
  </dl>
</section>
<section aria-labelledby="patient-heading">
  <h2 id="patient-heading">Patient</h2>
  <dl class="facts">
    <dt>Name</dt><dd>{{ p.name }}{% if p.name_alt %} ({{ p.name_alt }}){% endif %}</dd>
    {% if p.guardian_name %}<dt>Guardian</dt><dd>{{ p.guardian_name }}</dd>{% endif %}
    <dt>Born</dt><dd>{{ p.birth_date or "not known" }}
      {%- if p.birth_date_estimated %} (estimated){% endif %}</dd>
    {% if p.address %}<dt>Village</dt><dd>{{ [p.address.village, p.address.sub_district,
      p.address.district] | select | join(", ") }}</dd>{% endif %}
    {% if p.phone %}<dt>Phone</dt><dd>{{ p.phone }}</dd>{% endif %}
    {% if p.abha_number %}<dt>ABHA</dt><dd>{{ p.abha_number }}</dd>{% endif %}
  </dl>
</section>
</div>

<section aria-labelledby="vitals-heading">
  <h2 id="vitals-heading">Vitals</h2>
  {% if r.news2 and not r.news2.applicable %}
  <p>NEWS2 is for adults: it is not scored under 16 years. The flags below are not judged
    against adult ranges either.</p>
  {% elif r.news2 %}
  <p>NEWS2 <strong>{{ r.news2.total }}</strong> ({{ r.news2.risk | replace("_", "-") }} risk)
    {%- if r.news2.red %}, with a single parameter scoring 3{% endif %}
    {%- if r.news2.missing %}; partial: {{ r.news2.missing | join(", ") | replace("_", " ") }}
    not measured{% endif %}.</p>
  {% endif %}
  {% if vitals %}
  <div class="table-wrap">
  <table id="vitals">
    <thead><tr><th scope="col">Vital</th><th scope="col">This visit</th>
      <th scope="col">Earlier visits (oldest first)</th><th scope="col">Trend</th></tr></thead>
    <tbody>
    {% for v in vitals %}
      <tr>
        <th scope="row">{{ v.name }}</th>
        <td>{% for x in v.now %}<span class="flag-{{ x.flag }}">{{ x.text }}</span>
          {%- if x.flag_text %} <span class="flag-{{ x.flag }}">{{ x.flag_text }}</span>
          {%- endif %}{% if not loop.last %}<br>{% endif %}{% endfor %}</td>
        <td>{% for x in v.before %}<span class="flag-{{ x.flag }}">{{ x.text }}</span>
          {%- if x.when %} <span class="hint">{{ x.when.strftime("%Y-%m-%d") }}</span>{% endif %}
          {%- if not loop.last %} → {% endif %}{% else %}—{% endfor %}</td>
        <td>{{ v.sparkline }}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table>
  </div>
  {% else %}
  <p>The clinic sent no vitals with this case.</p>
  {% endif %}
</section>

<section aria-labelledby="files-heading">
  <h2 id="files-heading">Attachments</h2>
  {% if r.attachments %}
  <ul class="plain">
  {% for a in r.attachments %}
    <li>
    {% if a.complete %}
      {% set href = base ~ "/cases/" ~ r.case_id ~ "/attachments/" ~ a.id %}
      {% if a.media_type.startswith("image/") %}
      <a href="{{ href }}"><img class="thumb" src="{{ href }}"
         alt="{{ a.caption or a.filename }}"></a><br>
      {% endif %}
      <a href="{{ href }}">{{ a.filename }}</a>
    {% else %}
      {{ a.filename }}: still arriving ({{ (a.received / 1024) | round | int }} of
      {{ (a.size / 1024) | round | int }} KB)
    {% endif %}
    {% if a.caption %}<span class="hint">{{ a.caption }}</span>{% endif %}
    </li>
  {% endfor %}
  </ul>
  {% else %}
  <p>None.</p>
  {% endif %}
</section>

<section aria-labelledby="rx-heading">
  <h2 id="rx-heading">Prescriptions for this case</h2>
  {% for x in r.prescriptions %}
  {% set rx = x.prescription %}
  <article aria-labelledby="rx-{{ x.id }}">
    <h3 id="rx-{{ x.id }}">{{ x.issued_at | when }} · {{ rx.practitioner.name }}
      {%- if x.superseded_by %} · replaced by a correction{% endif %}
      {%- if rx.supersedes %} · corrects an earlier one{% endif %}</h3>
    <p>{{ mode_labels.get(rx.mode.value, rx.mode.value) }},
      {{ visit_labels.get(rx.visit.value, rx.visit.value) | lower }}.
      Diagnosis: {{ rx.provisional_diagnosis }}.
      {% if x.acknowledged %}Acknowledged by {{ x.acknowledged.by_name }}.
      {% else %}Not yet acknowledged by the clinic.{% endif %}</p>
    <ol>
    {% for item in rx.items %}
      {% set d = x.dispensed.get(loop.index0) %}
      <li>{{ item.generic_name }} {{ item.strength }} {{ item.dosage_form }}: {{ item.dose }},
        {{ item.frequency }}, {{ item.duration_days }} days
        {% if d %}— <strong>{{ d.status | replace("_", " ") }}</strong>
          {%- if d.note %} ({{ d.note }}){% endif %}{% endif %}</li>
    {% endfor %}
    </ol>
    {% if not x.superseded_by %}
    <p><a href="{{ base }}/cases/{{ r.case_id }}/prescribe?supersedes={{ x.id }}">Correct this
      prescription</a></p>
    {% endif %}
  </article>
  {% else %}
  <p>None yet.</p>
  {% endfor %}
</section>

<section aria-labelledby="thread">
  <h2 id="thread" tabindex="-1">Messages with the clinic</h2>
  <ul class="plain thread">
  {% for m in r.messages %}
    <li class="{{ m.origin }}"><strong>{{ m.author_name }}</strong>
      <span class="hint">{{ m.sent_at | when }}</span>
      <div>{{ m.body }}</div></li>
  {% else %}
    <li>No messages yet.</li>
  {% endfor %}
  </ul>
  {% if message_error %}<p class="error" role="alert" id="message-error">{{ message_error }}</p>
  {% endif %}
  <form class="stack" method="post" action="{{ base }}/cases/{{ r.case_id }}/message">
    <input type="hidden" name="csrf" value="{{ csrf }}">
    <label for="body">Ask the clinic
      <span class="hint">When more is needed before prescribing: a photo, a reading, a
        question for the patient.</span></label>
    <textarea id="body" name="body" rows="3" maxlength="4000"
      {%- if message_error %} aria-describedby="message-error" aria-invalid="true"
      {%- endif %}>{{ message }}</textarea>
    <div><button type="submit">Send to the clinic</button></div>
  </form>
</section>

<section aria-labelledby="earlier-heading">
  <h2 id="earlier-heading">Earlier visits</h2>
  {% for e in r.earlier %}
  <article>
    <h3><a href="{{ base }}/cases/{{ e.case_id }}">{{ e.when | when }}</a>:
      {{ e.chief_complaint }} <span class="hint">({{ e.status | replace("_", " ") }})</span></h3>
    {% for x in e.prescriptions if not x.superseded_by %}
    <p>{{ x.issued_at | when }}: {{ x.provisional_diagnosis }} —
      {% for item in x["items"] %}{{ item.generic_name }} {{ item.strength }}
        {%- if not loop.last %}; {% endif %}{% else %}no medicines{% endfor %}</p>
    {% endfor %}
  </article>
  {% else %}
  <p>This is the patient's first case from this clinic.</p>
  {% endfor %}
</section>
{% endblock %}
"""

PRESCRIBE: Final = """{% extends "base.html" %}
{% block title %}Prescription for {{ p.name }}{% endblock %}
{% block main %}
<h1>{{ "Correct the prescription" if supersedes else "Prescription" }} for {{ p.name }}</h1>
<p><a href="{{ base }}/cases/{{ r.case_id }}">Back to the case</a> ·
  <a href="{{ base }}/formulary">Formulary</a></p>
{% if form.errors %}
<div class="error" role="alert" id="problems" tabindex="-1">
  <p>{{ form.errors | length }} thing{{ "s" if form.errors | length != 1 }} to fix before it
    can be signed:</p>
  <ul>
  {% for field, text in form.errors %}
    <li>{% if field %}<a href="#{{ field }}">{{ text }}</a>{% else %}{{ text }}{% endif %}</li>
  {% endfor %}
  </ul>
</div>
{% elif checked %}
<p class="ok" role="status" id="problems" tabindex="-1">
  The rules find nothing to fix: it can be signed.</p>
{% endif %}
{% set bad = form.errors | map("first") | list %}
<form method="post" action="{{ base }}/cases/{{ r.case_id }}/prescribe" novalidate>
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <input type="hidden" name="rx_id" value="{{ rx_id }}">
  <input type="hidden" name="supersedes" value="{{ supersedes }}">
  <input type="hidden" name="rows" value="{{ rows }}">

  <fieldset>
    <legend>Consultation</legend>
    <div class="grid">
    <div><label for="mode">How it took place</label>
    <select id="mode" name="mode"{% if "mode" in bad %} aria-invalid="true"{% endif %}>
      {% for value, label in mode_labels.items() %}
      <option value="{{ value }}"{% if form.top.mode == value %} selected{% endif %}>
        {{- label }}</option>
      {% endfor %}
    </select></div>
    <div><label for="visit">Visit</label>
    <select id="visit" name="visit">
      {% for value, label in visit_labels.items() %}
      <option value="{{ value }}"{% if form.top.visit == value %} selected{% endif %}>
        {{- label }}</option>
      {% endfor %}
    </select></div>
    {% if needs_age %}
    <div><label for="age_years">Age (years) <span class="hint">The clinic gave no birth
      date.</span></label>
    <input id="age_years" name="age_years" inputmode="numeric" value="{{ form.top.age_years }}"
      {%- if "age_years" in bad %} aria-invalid="true"{% endif %}></div>
    <div><label for="age_months">and months</label>
    <input id="age_months" name="age_months" inputmode="numeric"
      value="{{ form.top.age_months }}"></div>
    {% endif %}
    </div>
    <label for="chief_complaint">Chief complaint</label>
    <textarea id="chief_complaint" name="chief_complaint" rows="2"
      {%- if "chief_complaint" in bad %} aria-invalid="true"{% endif %}>
      {{- form.top.chief_complaint }}</textarea>
    <label for="findings">Relevant history, examination and findings</label>
    <textarea id="findings" name="findings" rows="3">{{ form.top.findings }}</textarea>
    <label for="provisional_diagnosis">Provisional diagnosis</label>
    <textarea id="provisional_diagnosis" name="provisional_diagnosis" rows="2"
      {%- if "provisional_diagnosis" in bad %} aria-invalid="true"{% endif %}>
      {{- form.top.provisional_diagnosis }}</textarea>
  </fieldset>

  <datalist id="formulary-names">
    {% for name, lst in names %}<option value="{{ name }}" label="List {{ lst }}">
    {% endfor %}
  </datalist>
  <datalist id="dosage-forms">
    {% for f in forms %}<option value="{{ f }}">{% endfor %}
  </datalist>
  {% for values in form["items"] %}
  {% set i = loop.index0 %}
  <fieldset class="item">
    <legend>Medicine {{ loop.index }}</legend>
    {% if rules[i] %}<p class="hint" id="{{ item_key(i, "rule") }}">{{ rules[i] }}</p>{% endif %}
    <div class="grid">
    {% for name, label, extra in [
        ("generic_name", "Generic name (CAPITALS)", 'list="formulary-names" autocomplete="off"'),
        ("strength", "Strength", 'placeholder="500 mg"'),
        ("dosage_form", "Dosage form", 'list="dosage-forms" autocomplete="off"'),
        ("dose", "Dose", 'placeholder="1 tablet"'),
        ("frequency", "Frequency", 'placeholder="1-0-1"'),
        ("duration_days", "Duration (days)", 'inputmode="numeric"'),
        ("quantity", "Quantity", 'inputmode="numeric"'),
        ("quantity_unit", "Quantity unit", 'placeholder="tablet"'),
        ("instructions", "Instructions", 'placeholder="after food"'),
        ("brand", "Brand (optional)", ""),
      ] %}
      {% set key = item_key(i, name) %}
      <div><label for="{{ key }}">{{ label }}</label>
      <input id="{{ key }}" name="{{ key }}" value="{{ values[name] }}" {{ extra | safe }}
        {%- if key in bad %} aria-invalid="true"{% endif %}
        {%- if name == "generic_name" and focus_row == i %} autofocus{% endif %}></div>
      {% if name == "dose" %}
      {% set rkey = item_key(i, "route") %}
      <div><label for="{{ rkey }}">Route</label>
      <select id="{{ rkey }}" name="{{ rkey }}"{% if rkey in bad %} aria-invalid="true"
        {%- endif %}>
        <option value="">Choose</option>
        {% for route in routes %}
        <option value="{{ route }}"{% if values.route == route %} selected{% endif %}>
          {{- route }}</option>
        {% endfor %}
      </select></div>
      {% endif %}
    {% endfor %}
    </div>
    <div class="check">
      <input type="checkbox" id="{{ item_key(i, "continuation") }}"
        name="{{ item_key(i, "continuation") }}" value="1"
        {%- if values.continuation %} checked{% endif %}
        {%- if item_key(i, "continuation") in bad %} aria-invalid="true"{% endif %}>
      <label for="{{ item_key(i, "continuation") }}">A continuation (refill) of a medicine
        the patient already takes</label>
    </div>
    <div class="check">
      <input type="checkbox" id="{{ item_key(i, "no_substitution") }}"
        name="{{ item_key(i, "no_substitution") }}" value="1"
        {%- if values.no_substitution %} checked{% endif %}>
      <label for="{{ item_key(i, "no_substitution") }}">Brand only: no substitution</label>
    </div>
    {% set okey = item_key(i, "off_formulary_reason") %}
    <label for="{{ okey }}">Reason, if it is not in the formulary</label>
    <input id="{{ okey }}" name="{{ okey }}" size="60" value="{{ values.off_formulary_reason }}"
      {%- if item_key(i, "generic_name") in bad %} aria-invalid="true"{% endif %}>
  </fieldset>
  {% endfor %}
  <div class="actions">
    <button class="quiet" type="submit" name="action" value="add_row">Add a medicine</button>
  </div>

  <fieldset>
    <legend>Advice and follow-up</legend>
    <label for="advice">Advice</label>
    <textarea id="advice" name="advice" rows="3">{{ form.top.advice }}</textarea>
    <label for="investigations">Investigations <span class="hint">One per line.</span></label>
    <textarea id="investigations" name="investigations" rows="2">
      {{- form.top.investigations }}</textarea>
    <div class="grid">
    <div><label for="follow_up">Follow-up date</label>
    <input id="follow_up" name="follow_up" type="date" value="{{ form.top.follow_up }}"
      {%- if "follow_up" in bad %} aria-invalid="true"{% endif %}></div>
    </div>
    <label for="referral">Referral <span class="hint">Where to, and why; empty when
      none.</span></label>
    <input id="referral" name="referral" size="60" value="{{ form.top.referral }}">
  </fieldset>

  <fieldset>
    <legend>Sign</legend>
    <label for="password">Your password
      <span class="hint">It opens your signing key. A signed prescription cannot be changed;
        a correction replaces it.</span></label>
    <input id="password" name="password" type="password" autocomplete="current-password"
      {%- if "password" in bad %} aria-invalid="true"{% endif %}>
    <div class="actions">
      <button class="quiet" type="submit" name="action" value="check">Check</button>
      <button type="submit" name="action" value="sign">Sign and send</button>
    </div>
  </fieldset>
</form>
{% endblock %}
"""

FORMULARY: Final = """{% extends "base.html" %}
{% block title %}Formulary{% endblock %}
{% block main %}
<h1>Formulary</h1>
<p class="muted">A draft of {{ total }} rows that clinicians have yet to verify. The
  telemedicine list decides what may be prescribed remotely.</p>
<form method="get" action="{{ base }}/formulary">
  <label for="q">Generic name</label>
  <input id="q" name="q" value="{{ query }}" autofocus>
  <button type="submit">Search</button>
</form>
<ul>
  {% for lst, rule in list_rules.items() %}<li>{{ rule }}</li>{% endfor %}
</ul>
<div class="table-wrap">
<table id="formulary">
  <caption class="muted">{{ entries | length }} row{{ "s" if entries | length != 1 }}
    {%- if query %} matching “{{ query }}”{% endif %}</caption>
  <thead><tr><th scope="col">Generic name</th><th scope="col">Strength</th>
    <th scope="col">Form</th><th scope="col">Route</th><th scope="col">List</th>
    <th scope="col">Notes</th></tr></thead>
  <tbody>
  {% for e in entries %}
    <tr><th scope="row">{{ e.generic_name }}</th><td>{{ e.strength }}</td>
      <td>{{ e.dosage_form }}</td><td>{{ e.route }}</td><td>{{ e.drug_list.value }}</td>
      <td>{{ e.notes }}</td></tr>
  {% endfor %}
  </tbody>
</table>
</div>
{% endblock %}
"""

TEMPLATES: Final = {
    "queue.html": QUEUE,
    "case.html": CASE,
    "prescribe.html": PRESCRIBE,
    "formulary.html": FORMULARY,
}
