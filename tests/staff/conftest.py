"""Staff people of the stories: an NGO worker, a worker of another NGO, an operator."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.models import Organisation, StaffProfile


def staff_client(username: str, role: str, organisation: Organisation | None) -> Client:
    user = get_user_model().objects.create_user(username, password="correct horse battery", is_staff=role == "operator",
                                                 is_superuser=role == "operator")
    StaffProfile.objects.create(user=user, role=role, organisation=organisation)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post("/staff/login", {"username": username, "password": "correct horse battery", "otp_token": token})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture
def casa_del_migrante(db) -> Organisation:
    return Organisation.objects.create(name="Casa del Migrante", city="Matamoros")


@pytest.fixture
def other_ngo(db) -> Organisation:
    return Organisation.objects.create(name="Otra ONG", city="Reynosa")


@pytest.fixture
def rosa(casa_del_migrante) -> Client:
    """Rosa works at the Casa del Migrante shelter."""
    return staff_client("rosa", "ngo", casa_del_migrante)


@pytest.fixture
def pablo(other_ngo) -> Client:
    """Pablo works at another NGO."""
    return staff_client("pablo", "ngo", other_ngo)


@pytest.fixture
def olga(db) -> Client:
    """Olga is an operator at the agency."""
    return staff_client("olga", "operator", None)
