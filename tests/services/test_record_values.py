"""One device reading (several values) is stored whole or not at all; ticking an urgent
value replaces it in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.errors import DomainError, ImplausibleValue
from app.domain.models import ObservationSource, ObservationStatus
from app.domain.vitals import DIASTOLIC, PULSE, SPO2, SYSTOLIC
from app.services.cases import Provenance
from app.services.container import Services
from tests.services.helpers import Staff, draft


@pytest.fixture
def case_id(services: Services, staff: Staff):
    patient = services.patients.register(staff.paramedic, draft())
    return services.cases.start(staff.paramedic, patient.id).id


def stored(services: Services, staff: Staff, cid) -> list:
    return services.cases.detail(staff.paramedic, cid).observations


def test_a_cuff_reading_is_stored_with_its_provenance(services, staff, case_id) -> None:
    when = datetime(2025, 6, 2, 6, 29, 41, tzinfo=UTC)
    prov = Provenance(ObservationSource.DEVICE, "bp-1", when, b"\x1e\x96\x00", "1")
    recorded = services.cases.record_values(
        staff.paramedic,
        case_id,
        [(SYSTOLIC, 150, "mm[Hg]"), (DIASTOLIC, 95, "mm[Hg]"), (PULSE, 80, "/min")],
        prov,
    )
    assert [r.observation.code for r in recorded] == [SYSTOLIC, DIASTOLIC, PULSE]
    for r in stored(services, staff, case_id):
        o = r.observation
        assert (o.source, o.device_id, o.device_time) == (ObservationSource.DEVICE, "bp-1", when)
        assert (o.raw, o.parser_version) == (b"\x1e\x96\x00", "1")


def test_one_impossible_value_stores_none_of_the_reading(services, staff, case_id) -> None:
    with pytest.raises(ImplausibleValue) as err:
        services.cases.record_values(
            staff.paramedic, case_id, [(SPO2, 97, "%"), (PULSE, 400, "/min")]
        )
    assert err.value.code == "vital.above_limit"
    assert stored(services, staff, case_id) == []


def test_a_swapped_pair_in_one_reading_is_refused(services, staff, case_id) -> None:
    with pytest.raises(ImplausibleValue) as err:
        services.cases.record_values(
            staff.paramedic, case_id, [(SYSTOLIC, 80, "mm[Hg]"), (DIASTOLIC, 120, "mm[Hg]")]
        )
    assert err.value.code == "vital.bp_order"
    assert stored(services, staff, case_id) == []


def test_confirming_an_urgent_value_keeps_both_steps_and_the_provenance(
    services, staff, case_id
) -> None:
    prov = Provenance(ObservationSource.DEVICE, "oxi-1", None, b"\x01", "1")
    (low,) = services.cases.record_values(staff.paramedic, case_id, [(SPO2, 86, "%")], prov)
    ticked = services.cases.confirm_abnormal(staff.paramedic, low.observation.id)
    assert ticked.observation.confirmed_abnormal
    assert (ticked.observation.device_id, ticked.observation.raw) == ("oxi-1", b"\x01")
    by_id = {r.observation.id: r.observation for r in stored(services, staff, case_id)}
    assert by_id[low.observation.id].status is ObservationStatus.ENTERED_IN_ERROR
    assert by_id[ticked.observation.id].status is ObservationStatus.FINAL


def test_a_value_already_replaced_cannot_be_confirmed_again(services, staff, case_id) -> None:
    (low,) = services.cases.record_values(staff.paramedic, case_id, [(SPO2, 86, "%")])
    services.cases.confirm_abnormal(staff.paramedic, low.observation.id)
    with pytest.raises(DomainError) as err:
        services.cases.confirm_abnormal(staff.paramedic, low.observation.id)
    assert err.value.code == "observation.not_found"
    assert len(stored(services, staff, case_id)) == 2
