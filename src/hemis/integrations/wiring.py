"""Building the real clients and the sync runner from settings (the CLI, huey tasks and the
benchmark share it)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.integrations.civil_service.client import CivilServiceClient
from hemis.integrations.codes import Registry
from hemis.integrations.insurance.client import InsuranceClient
from hemis.integrations.population.client import PopulationClient
from hemis.integrations.schemas import GraduateQuery, IdentityQuery, StaffQuery
from hemis.integrations.sync import Progress, Runner, SyncParams, SyncSummary
from hemis.integrations.transport import Reply, Transport


def cipher_of(settings: Settings) -> IdCipher:
    return IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)


def url_of(settings: Settings, system: str) -> str:
    return {
        Registry.population.value: settings.population_url,
        Registry.insurance.value: settings.insurance_url,
        Registry.civil_service.value: settings.civil_service_url,
    }[system]


def transport(settings: Settings, system: str, url: str | None = None) -> Transport:
    return Transport(system, url or url_of(settings, system), settings, cipher_of(settings))


def sender(system: str, channel: Transport) -> Any:
    """The batch call of a registry, as the runner's `send`."""
    if system == Registry.population.value:
        population = PopulationClient(channel)

        def verify(records: Sequence[BaseModel]) -> Reply[Any]:
            return population.verify([r for r in records if isinstance(r, IdentityQuery)])

        return verify
    if system == Registry.insurance.value:
        insurance = InsuranceClient(channel)

        def graduates(records: Sequence[BaseModel]) -> Reply[Any]:
            return insurance.send_graduates([r for r in records if isinstance(r, GraduateQuery)])

        return graduates
    civil = CivilServiceClient(channel)

    def link(records: Sequence[BaseModel]) -> Reply[Any]:
        return civil.link_staff([r for r in records if isinstance(r, StaffQuery)])

    return link


def run_sync(
    engine: Engine,
    settings: Settings,
    params: SyncParams,
    url: str | None = None,
    progress: Progress | None = None,
) -> SyncSummary:
    channel = transport(settings, params.system, url)
    try:
        runner = Runner(
            engine,
            channel.cipher,
            sender(params.system, channel),
            settings.var_dir,
            progress,
            pause=lambda: time.sleep(channel.breaker.wait_time()),
        )
        return runner.run(params)
    finally:
        channel.close()
