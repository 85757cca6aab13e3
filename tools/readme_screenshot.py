"""Render the README screenshot: the case form of an urgent case, in the real main window.

    .venv/bin/python tools/readme_screenshot.py docs/screenshot.png [--lang hi] [--font-scale 1.5]

It builds a throw-away data folder, registers a patient and records a case through the same
services the app uses, opens the case in the main window offscreen and saves a PNG.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSize, QTimer

from app.domain import vitals
from app.domain.models import Address, ConsentMethod, PatientDraft, Role, Sex
from app.services.container import Services
from app.ui import tasks
from app.ui.application import create_application
from app.ui.case_form import CaseForm
from app.ui.main_window import MainWindow
from app.ui.session import Session


def record_case(services: Services) -> tuple[Session, str]:
    admin = services.auth.create_first_admin("admin", "Field IT", "demo-admin-pass")
    user = services.auth.create_user(admin, "asha", "Asha Kumari", Role.PARAMEDIC, "demo-pass-1")
    patient = services.patients.register(
        user,
        PatientDraft(
            name="Ramesh Kumaar",
            name_alt="रमेश कुमार",
            sex=Sex.MALE,
            age_years=44,
            phone="9876501233",
            address=Address(state="UTTAR PRADESH", district="Sitapur", village="Kheri"),
        ),
    )
    cases = services.cases
    case = cases.start(user, patient.id)
    cases.record_consent(
        user,
        case.id,
        given_by="Ramesh Kumaar",
        relationship="self",
        method=ConsentMethod.VERBAL,
        witness="Asha Kumari",
    )
    cases.save_draft(
        user,
        case.id,
        chief_complaint="Chest pain since 2 days",
        history="Pain on exertion, relieved by rest. Smoker, 20 years.",
        examination="Sweating, anxious. Chest clear.",
        specialty="cardiology",
    )
    cases.add_blood_pressure(user, case.id, 150, 95)
    cases.add_observation(user, case.id, vitals.PULSE, 115, "/min")
    cases.add_observation(user, case.id, vitals.RESP_RATE, 22, "/min")
    cases.add_observation(user, case.id, vitals.SPO2, 95, "%")
    cases.add_observation(user, case.id, vitals.TEMPERATURE, 101.3, "[degF]")
    return Session(user, services), case.id


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--font-scale", type=float, default=1.0)
    args = parser.parse_args()
    app = create_application(language=args.lang, font_scale=args.font_scale)
    with tempfile.TemporaryDirectory() as tmp, Services.open(Path(tmp)) as services:
        session, case_id = record_case(services)
        window = MainWindow(session)
        window.resize(QSize(1366, 900))
        window.show()
        window.open_case(case_id)  # type: ignore[arg-type]

        scrolled: list[bool] = []

        def capture() -> None:
            if tasks.running_count():
                QTimer.singleShot(100, capture)
                return
            form = window.findChild(CaseForm)
            if form is not None and not scrolled:
                # Show the vitals with their flags, the part a reader most wants to see.
                form.scroll.ensureWidgetVisible(form.vitals.readings, 0, 0)
                scrolled.append(True)
                QTimer.singleShot(200, capture)
                return
            window.grab().save(args.out)
            print(f"wrote {args.out}")
            app.quit()

        QTimer.singleShot(800, capture)
        app.exec()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
