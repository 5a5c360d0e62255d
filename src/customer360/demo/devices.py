"""The demo device logs: web sessions page by page, with the device, screen, memory
and user agent a browser reports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from customer360.demo.common import DAY, ONLINE_HOURS, WINDOW_DAYS, numbered, timestamps
from customer360.demo.customers import People
from customer360.demo.orders import Orders


@dataclass(frozen=True)
class DeviceModel:
    device_type: str
    share: float
    screen: tuple[int, int]  # width, height in CSS pixels
    memory_gb: tuple[float, ...]  # what navigator.deviceMemory reports; () = not reported
    user_agent: str


USER_AGENTS = {
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "pixel": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36",
    "galaxy": "Mozilla/5.0 (Linux; Android 13; SM-A146B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0 Mobile Safari/537.36",
    "ipad": "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "galaxy_tab": "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/123.0 Safari/537.36",
    "windows_chrome": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/124.0 Safari/537.36",
    "windows_edge": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/123.0 Safari/537.36 Edg/123.0",
    "mac_chrome": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/124.0 Safari/537.36",
    "linux_firefox": "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "smart_tv": "Mozilla/5.0 (SMART-TV; Linux; Tizen 7.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/5.0 TV Safari/537.36",
}
# Safari and Firefox do not report navigator.deviceMemory: their memory is null.
DEVICE_MODELS = [
    DeviceModel("phone", 0.13, (390, 844), (), USER_AGENTS["iphone"]),
    DeviceModel("phone", 0.20, (412, 915), (4, 8), USER_AGENTS["pixel"]),
    DeviceModel("phone", 0.16, (360, 800), (0.5, 1, 2, 4), USER_AGENTS["galaxy"]),
    DeviceModel("tablet", 0.03, (820, 1180), (), USER_AGENTS["ipad"]),
    DeviceModel("tablet", 0.04, (1280, 800), (2, 4), USER_AGENTS["galaxy_tab"]),
    DeviceModel("desktop", 0.20, (1920, 1080), (4, 8, 8), USER_AGENTS["windows_chrome"]),
    DeviceModel("desktop", 0.08, (1366, 768), (2, 4, 8), USER_AGENTS["windows_edge"]),
    DeviceModel("desktop", 0.06, (1512, 982), (8,), USER_AGENTS["mac_chrome"]),
    DeviceModel("desktop", 0.03, (2560, 1440), (), USER_AGENTS["linux_firefox"]),
    DeviceModel("other", 0.03, (1280, 720), (0.5, 1, 2), USER_AGENTS["smart_tv"]),
]


def session_devices(
    rng: np.random.Generator, model: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Screen width, height, memory (NaN = not reported) and user agent per session."""
    width = np.zeros(len(model), np.int64)
    height = np.zeros(len(model), np.int64)
    memory = np.full(len(model), np.nan)
    agent = np.empty(len(model), dtype=object)
    for index, device in enumerate(DEVICE_MODELS):
        mine = np.flatnonzero(model == index)
        width[mine], height[mine] = device.screen
        if device.device_type == "tablet":  # some tablets are held in landscape
            turned = mine[rng.random(len(mine)) < 0.4]
            width[turned], height[turned] = max(device.screen), min(device.screen)
        if device.memory_gb:
            memory[mine] = rng.choice(device.memory_gb, len(mine))
        agent[mine] = device.user_agent
    memory[rng.random(len(model)) < 0.03] = np.nan  # privacy settings
    return width, height, memory, agent


def make_device_logs(
    rng: np.random.Generator, people: People, orders: Orders, first_session: int
) -> tuple[pa.Table, int]:
    """Web sessions page by page: customers who order online browse more, and half as many
    sessions again come from anonymous visitors."""
    n = len(people.ids)
    online_orders = np.bincount(orders.owner[orders.online], minlength=n)
    owner = np.repeat(np.arange(n), rng.poisson(0.7 + 0.35 * online_orders))
    anonymous = int(rng.poisson(0.5 * len(owner)))
    sessions = len(owner) + anonymous
    last_day = np.minimum(people.end + 60, WINDOW_DAYS)[owner]
    first_day = people.signup[owner]
    known_day = first_day + (rng.random(len(owner)) * (last_day - first_day)).astype(np.int64)
    day = np.concatenate([known_day, rng.integers(0, WINDOW_DAYS, anonymous)])
    hours = np.array(ONLINE_HOURS) / sum(ONLINE_HOURS)
    start = day * DAY + rng.choice(24, sessions, p=hours) * 3600 + rng.integers(0, 3600, sessions)
    shares = np.array([device.share for device in DEVICE_MODELS])
    model = rng.choice(len(DEVICE_MODELS), sessions, p=shares / shares.sum())
    usual = rng.choice(len(DEVICE_MODELS), n, p=shares / shares.sum())[owner]
    model[: len(owner)] = np.where(rng.random(len(owner)) < 0.8, usual, model[: len(owner)])
    width, height, memory, agent = session_devices(rng, model)

    pages = 1 + rng.poisson(2.3, sessions)
    session = np.repeat(np.arange(sessions), pages)
    step = rng.integers(5, 300, len(session))  # seconds between page views
    elapsed = np.cumsum(step)
    logged = start[session] + elapsed - np.repeat(elapsed[np.cumsum(pages) - pages], pages)
    kept = logged < WINDOW_DAYS * DAY
    session = session[kept]
    customer = np.concatenate([people.ids[owner], np.full(anonymous, "")])
    types = np.array([device.device_type for device in DEVICE_MODELS])
    table = pa.table(
        {
            "logged_at": timestamps(logged[kept]),
            "customer_id": pa.array(customer[session], mask=session >= len(owner)),
            "session_id": numbered("S", first_session + session, 10),
            "device_type": types[model[session]],
            "screen_width": width[session],
            "screen_height": height[session],
            "device_memory_gb": pa.array(memory[session], from_pandas=True).cast(
                pa.decimal128(8, 2)
            ),
            "user_agent": pa.array(agent[session], pa.string()),
        }
    )
    return table, sessions
