"""The service on Ray Serve (a local cluster, 2 replicas, the tiny model): the same routes and
answers as the one-process service, each equal to the library's answer alone."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

ray = pytest.importorskip("ray")
serve = pytest.importorskip("ray.serve")

from summarizer import Summarizer  # noqa: E402
from summarizer.serve import ServeSettings  # noqa: E402
from summarizer.serve.ray import APP_NAME, ray_app  # noqa: E402


@pytest.fixture(scope="module")
def ray_service(tiny_causal_dir, local_server):
    free_port, wait_ready = local_server
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    port = free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    serve.run(ray_app(str(tiny_causal_dir), "torch", 2, ServeSettings(max_wait_ms=100), threads=1),
              name=APP_NAME, route_prefix="/")
    base = f"http://127.0.0.1:{port}"
    wait_ready(base, 60)
    yield base
    serve.shutdown()
    if started:
        ray.shutdown()


def test_two_replicas_answer_as_the_library_alone(ray_service, tiny_causal_dir, example_articles):
    tiny = Summarizer.from_pretrained(tiny_causal_dir, backend="torch")
    articles = example_articles[:4]
    expected = [tiny.summarize([a], style="highlights")[0].text for a in articles]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda a: httpx.post(f"{ray_service}/v1/summarize",
                                                     json={"articles": [a], "style": "highlights"}, timeout=120),
                                articles))
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert [a.json()["summaries"][0]["text"] for a in answers] == expected
    assert httpx.get(f"{ray_service}/v1/info").json()["limits"]["max_wait_ms"] == 100


def test_bad_input_gets_the_same_errors_on_ray(ray_service):
    answer = httpx.post(f"{ray_service}/v1/summarize", json={"articles": ["  "]})
    assert answer.status_code == 422 and "article 0 is empty" in answer.text
    assert httpx.post(f"{ray_service}/v1/summarize", json={"articles": ["x"], "style": "poem"}).status_code == 422
