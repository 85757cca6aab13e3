"""One patient's record: who they are, their visits with status badges, their vital trends,
and "Start new case".

The main window reuses one ``PatientView`` and calls ``load(pid)``; everything is read
through ``Op`` (the patient, the visits, one trend per vital) and answers for a patient no
longer shown are dropped. GUI thread only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import CaseId, PatientId
from app.domain.models import Case, Patient
from app.ui import clinical_text as ct
from app.ui.case_form import specialty_name
from app.ui.messages import error_text
from app.ui.navigation import PATIENTS
from app.ui.tasks import Op
from app.ui.widgets.badges import priority_text, status_colours, status_text
from app.ui.widgets.trend import Sparkline

if TYPE_CHECKING:
    from app.ui.navigation import Navigator
    from app.ui.session import Session

TREND_CODES = (ct.SYSTOLIC, ct.PULSE, ct.SPO2, ct.TEMPERATURE, ct.WEIGHT, ct.GLUCOSE_RANDOM)


class PatientView(QWidget):
    COL_DATE, COL_STATUS, COL_COMPLAINT, COL_SPECIALTY, COL_NEWS2 = range(5)

    def __init__(
        self, session: Session, navigator: Navigator, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PatientView")
        self._session = session
        self._navigator = navigator
        self.patient_id: PatientId | None = None
        self.patient: Patient | None = None

        self.name_label = QLabel()
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("mutedText")
        self.start_button = QPushButton(self.tr("Start &new case"))
        self.start_button.setObjectName("startCase")
        self.start_button.setProperty("primary", True)
        self.start_button.clicked.connect(self.start_case)
        self.back_button = QPushButton(self.tr("&Back to search"))
        self.back_button.clicked.connect(lambda: self._navigator.show_page(PATIENTS))
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        head = QHBoxLayout()
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.name_label)
        names.addWidget(self.summary_label)
        head.addLayout(names, 1)
        head.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignVCenter)

        # Demographics.
        self.details_box = QGroupBox(self.tr("Details"))
        self.details_form = QFormLayout(self.details_box)
        self.details_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.details_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.detail_values: dict[str, QLabel] = {}
        for key, label in (
            ("guardian", self.tr("Guardian:")),
            ("born", self.tr("Born:")),
            ("phone", self.tr("Phone:")),
            ("abha_number", self.tr("ABHA number:")),
            ("abha_address", self.tr("ABHA address:")),
            ("address", self.tr("Address:")),
            ("registered", self.tr("Registered:")),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.detail_values[key] = value
            self.details_form.addRow(QLabel(label), value)

        # Trends.
        self.trends_box = QGroupBox(self.tr("Vital sign trends"))
        grid = QGridLayout(self.trends_box)
        grid.setColumnStretch(1, 1)
        self.sparklines: dict[str, Sparkline] = {}
        self.trend_latest: dict[str, QLabel] = {}
        for row, code in enumerate(TREND_CODES):
            grid.addWidget(QLabel(ct.vital_name(code)), row, 0)
            spark = Sparkline()
            spark.setAccessibleName(ct.vital_name(code))
            self.sparklines[code] = spark
            grid.addWidget(spark, row, 1)
            latest = QLabel()
            latest.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.trend_latest[code] = latest
            grid.addWidget(latest, row, 2)

        # Visits.
        self.visits_box = QGroupBox(self.tr("&Visits"))
        self.visits = QTreeWidget()
        self.visits.setObjectName("visits")
        self.visits.setRootIsDecorated(False)
        self.visits.setAlternatingRowColors(True)
        self.visits.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.visits.setHeaderLabels(
            [
                self.tr("Date"),
                self.tr("Status"),
                self.tr("Chief complaint"),
                self.tr("Specialty"),
                self.tr("NEWS2"),
            ]
        )
        header = self.visits.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COL_COMPLAINT, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.visits.itemActivated.connect(self._on_visit_activated)
        self.visits_empty = QLabel(self.tr("No visits yet. Start a new case to record one."))
        self.visits_empty.setObjectName("mutedText")
        visits_layout = QVBoxLayout(self.visits_box)
        visits_layout.addWidget(self.visits_empty)
        visits_layout.addWidget(self.visits)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.details_box)
        left.addWidget(self.trends_box)
        left.addStretch(1)
        columns.addLayout(left, 2)
        columns.addWidget(self.visits_box, 3)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(columns)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        outer = QVBoxLayout(self)
        outer.addLayout(head)
        outer.addWidget(self.message)
        outer.addWidget(scroll, 1)

        self.setTabOrder(self.start_button, self.visits)
        self.setTabOrder(self.visits, self.back_button)

    # --- page protocol -------------------------------------------------------------------------

    def title(self) -> str:
        return self.patient.name if self.patient is not None else self.tr("Patient")

    def page_activated(self) -> None:
        if self.patient_id is not None:
            self.reload()
        self.start_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def load(self, pid: str) -> None:
        self.patient_id = PatientId(pid)
        self.patient = None
        self.name_label.setText("")
        self.summary_label.setText("")
        self.visits.clear()
        for spark in self.sparklines.values():
            spark.set_series([])
        for label in self.trend_latest.values():
            label.setText("")
        self.message.setVisible(False)
        self.reload()

    def reload(self) -> None:
        if self.patient_id is None:
            return
        services, user, pid = self._session.services, self._session.user, self.patient_id

        def read() -> tuple[Patient, list[Any], dict[str, list[Any]]]:
            patient = services.patients.get(user, pid)
            visits = services.patients.visits(user, pid)
            trends = {code: services.patients.trend(user, pid, code) for code in TREND_CODES}
            return patient, visits, trends

        Op(self, read).success(lambda result: self._apply(pid, *result)).failure(
            self._on_failed
        ).run()

    def _on_failed(self, exc: BaseException) -> bool:
        self.message.setText(f"⚠ {error_text(exc)}")
        self.message.setVisible(True)
        return True

    # --- showing -------------------------------------------------------------------------------

    def _apply(
        self, pid: PatientId, patient: Patient, visits: list[Any], trends: dict[str, list[Any]]
    ) -> None:
        if pid != self.patient_id:
            return  # the person moved on to another patient meanwhile
        self.patient = patient
        today = self._session.services.clock().astimezone().date()
        self.name_label.setText(
            patient.name + (f"  ·  {patient.name_alt}" if patient.name_alt else "")
        )
        self.summary_label.setText(
            " · ".join(
                part
                for part in (
                    ct.sex_long(patient.sex),
                    ct.age_text(patient.birth_date, patient.birth_date_estimated, today),
                    patient.address.village,
                )
                if part
            )
        )
        self._show_details(patient)
        self._show_visits(visits)
        self._show_trends(trends)

    def _show_details(self, p: Patient) -> None:
        v = self.detail_values
        v["guardian"].setText(p.guardian_name or "—")
        if p.birth_date is None:
            v["born"].setText("—")
        elif p.birth_date_estimated:
            v["born"].setText(
                self.tr("about %1 (estimated from age)").replace("%1", str(p.birth_date.year))
            )
        else:
            v["born"].setText(p.birth_date.strftime("%d/%m/%Y"))
        v["phone"].setText(p.phone or "—")
        v["abha_number"].setText(ct.format_abha(p.abha_number) or "—")
        v["abha_address"].setText(p.abha_address or "—")
        a = p.address
        v["address"].setText(
            ", ".join(x for x in (a.line, a.village, a.sub_district, a.district, a.state) if x)
            or "—"
        )
        v["registered"].setText(ct.local_time(p.created_at, with_date=True))

    def _show_visits(self, visits: list[Any]) -> None:
        self.visits.clear()
        for summary in visits:
            case: Case = summary.case
            news2 = "" if summary.news2_total is None else str(summary.news2_total)
            item = QTreeWidgetItem(
                [
                    ct.local_time(case.created_at, with_date=True),
                    status_text(case.status),
                    case.chief_complaint,
                    " · ".join(
                        x
                        for x in (
                            specialty_name(case.specialty) if case.specialty else "",
                            priority_text(case.priority) if case.priority != "routine" else "",
                        )
                        if x
                    ),
                    news2,
                ]
            )
            bg, fg = status_colours(case.status)
            item.setBackground(self.COL_STATUS, QBrush(bg))
            item.setForeground(self.COL_STATUS, QBrush(fg))
            item.setData(0, Qt.ItemDataRole.UserRole, case.id)
            self.visits.addTopLevelItem(item)
        self.visits_empty.setVisible(not visits)
        self.visits.setVisible(bool(visits))
        if visits:
            self.visits.setCurrentItem(self.visits.topLevelItem(0))

    def _show_trends(self, trends: dict[str, list[Any]]) -> None:
        for code, observations in trends.items():
            spark = self.sparklines[code]
            if not observations:
                spark.set_series([], self.tr("No readings yet"))
                self.trend_latest[code].setText("—")
                continue
            # Plot in one unit: a series mixing °F and °C readings would be meaningless.
            unit = observations[-1].unit
            values = [o.value for o in observations if o.unit == unit]
            latest = ct.format_quantity(observations[-1].value, unit)
            when = ct.local_time(observations[-1].taken_at, with_date=True)
            spark.set_series(
                values, self.tr("Latest %1 on %2").replace("%1", latest).replace("%2", when)
            )
            self.trend_latest[code].setText(latest)

    def visit_ids(self) -> list[str]:
        return [
            str(self.visits.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole))
            for i in range(self.visits.topLevelItemCount())
        ]

    # --- actions -------------------------------------------------------------------------------

    def _on_visit_activated(self, item: QTreeWidgetItem) -> None:
        self._navigator.open_case(CaseId(str(item.data(0, Qt.ItemDataRole.UserRole))))

    def start_case(self) -> None:
        if self.patient_id is None:
            return
        services, user, pid = self._session.services, self._session.user, self.patient_id
        self.start_button.setEnabled(False)
        (
            Op(self, lambda: services.cases.start(user, pid))
            .success(self._on_started)
            .failure(self._on_start_failed)
            .run()
        )

    def _on_started(self, case: Case) -> None:
        self.start_button.setEnabled(True)
        self._navigator.open_case(case.id)

    def _on_start_failed(self, exc: BaseException) -> bool:
        self.start_button.setEnabled(True)
        return self._on_failed(exc)
