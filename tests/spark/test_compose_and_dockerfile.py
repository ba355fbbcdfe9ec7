"""docker-compose.yaml and the Dockerfile, checked without a Docker engine.

The compose file is validated against the Compose Specification's JSON schema (`compose_spec.json` beside this
file, as shipped in docker-compose 1.29.2's `compose/config/`, Apache-2.0) after interpolating `${VAR:-default}`
the way Compose does, then checked for what the schema cannot see: references between services, volumes and
files, the course's generator variables, that the Spark job's command line is one the job accepts, and that
the generator and detector services use options the windtunnel binary has.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

import crash_monitor
from conftest import REPO

COMPOSE = REPO / "docker-compose.yaml"
DOCKERFILE = REPO / "Dockerfile"
SCHEMA = Path(__file__).with_name("compose_spec.json")
COURSE_GENERATOR_VARIABLES = {"KAFKA_BROKER", "KAFKA_TOPIC", "TARGET_RPS", "ADDITIONAL_TERM", "ADDITIONAL_TERM_RATE"}

_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?-)([^}]*))?\}|\$(\w+)")


def interpolate(value, environment: dict[str, str]):
    """Compose's variable substitution in every string of the file: `${X}`, `${X:-default}`, `${X-default}`, `$$`."""
    if isinstance(value, dict):
        return {key: interpolate(item, environment) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, environment) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        if name not in environment:
            assert match.group(2), f"{match.group(0)} has no default in {value!r}"
            return match.group(3)
        if match.group(2) == ":-" and environment[name] == "":
            return match.group(3)
        return environment[name]

    return _VARIABLE.sub(substitute, value)


@pytest.fixture(scope="module")
def compose() -> dict:
    return interpolate(yaml.safe_load(COMPOSE.read_text()), {})


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def test_interpolation_follows_compose():
    env = {"SET": "4.1.0", "EMPTY": ""}
    assert interpolate("a:${SET:-4.0.1}", env) == "a:4.1.0"
    assert interpolate("a:${UNSET:-4.0.1}", env) == "a:4.0.1"
    assert interpolate("${EMPTY:-x}|${EMPTY-x}|$$HOME|$SET", env) == "x||$HOME|4.1.0"


def compose_validator() -> jsonschema.Draft201909Validator:
    # The file names its draft as "http://json-schema.org/draft/2019-09/schema#", a spelling jsonschema does
    # not recognise; the draft itself is the one it means.
    return jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))


def test_compose_file_is_valid_by_the_compose_specification(compose):
    validator = compose_validator()
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_the_schema_rejects_what_compose_rejects(compose):
    """The schema is strict enough to matter: an unknown key or a bad depends_on condition fails it."""
    validator = compose_validator()
    broken = json.loads(json.dumps(compose))
    broken["services"]["kafka"]["enviroment"] = {}
    broken["services"]["generator"]["depends_on"]["topic"]["condition"] = "service_finished"
    messages = [e.message for e in validator.iter_errors(broken)]
    assert any("enviroment" in m for m in messages) and any("service_finished" in m for m in messages)


def test_the_stack_has_the_course_parts(services):
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert "broker,controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]  # KRaft, no ZooKeeper
    assert "org.apache.spark.deploy.master.Master" in services["spark-master"]["command"]
    assert "org.apache.spark.deploy.worker.Worker" in services["spark-worker"]["command"]
    assert services["spark-worker"]["deploy"]["replicas"] >= 2
    assert services["generator"]["deploy"]["replicas"] >= 2
    assert services["detector"]["command"][0] == "detect" and "console" in services["detector"]["command"]


def test_images_are_pinned_or_built_here(services):
    for name, service in services.items():
        image = service.get("image", "")
        if "build" in service:
            assert (REPO / service["build"] / "Dockerfile").is_file(), f"{name}: build context has no Dockerfile"
        else:
            tag = image.rpartition(":")[2]
            assert ":" in image and tag != "latest" and re.match(r"\d+\.\d+\.\d+", tag), f"{name}: {image} is not pinned"


def test_references_between_services_volumes_and_files_resolve(compose, services):
    declared_volumes = set(compose.get("volumes") or {})
    used_volumes = set()
    for name, service in services.items():
        for target in service.get("depends_on") or {}:
            assert target in services, f"{name} depends on {target}, which is not a service"
            assert target != name
        for mount in service.get("volumes") or []:
            source = mount.split(":")[0]
            if source.startswith((".", "/")):
                assert (REPO / source).exists(), f"{name} mounts {source}, which does not exist"
            else:
                assert source in declared_volumes, f"{name} mounts volume {source}, which is not declared"
                used_volumes.add(source)
    assert used_volumes == declared_volumes


def test_generators_take_the_course_images_variables(services):
    generator = services["generator"]
    assert set(generator["environment"]) == COURSE_GENERATOR_VARIABLES
    assert generator["environment"]["KAFKA_BROKER"] == "kafka:9092"
    assert int(generator["environment"]["TARGET_RPS"]) > 0 and int(generator["environment"]["ADDITIONAL_TERM_RATE"]) > 0


def generator_arguments(services, hostname: str, stub_folder: Path) -> list[str]:
    """The arguments a generator replica whose hostname is `hostname` passes to windtunnel: its entrypoint and
    command run by this machine's /bin/sh (dash, as in the image), with a stub windtunnel that prints them."""
    stub = stub_folder / "windtunnel"
    if not stub.exists():
        stub_folder.mkdir(parents=True)
        stub.write_text('#!/bin/sh\nprintf \'%s\\n\' "$@"\n')
        stub.chmod(0o755)
    generator = services["generator"]
    result = subprocess.run([*generator["entrypoint"], *generator["command"]], capture_output=True, text=True,
                            env={"PATH": f"{stub_folder}:/usr/bin:/bin", "HOSTNAME": hostname}, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_each_generator_replica_sends_its_own_sequence(services, tmp_path):
    """Replicas share the service's command; the seed comes from each container's hostname (its id)."""
    containers = ["3f2c9a1b7d4e", "a81d0c5e9f23", "0b7e4d2c6a91", "c5a9e3f1b028"]
    arguments = {host: generator_arguments(services, host, tmp_path / "bin") for host in containers}
    for words in arguments.values():
        assert words[0] == "generate" and words.count("--seed") == 1
        seed = words[words.index("--seed") + 1]
        assert seed.isdigit() and int(seed) < 2**64, seed  # windtunnel's --seed is a UInt64
    seeds = [words[words.index("--seed") + 1] for words in arguments.values()]
    assert len(set(seeds)) == len(containers), seeds
    assert generator_arguments(services, containers[0], tmp_path / "bin") == arguments[containers[0]]


def spark_job(services) -> tuple[list[str], list[str]]:
    """spark-submit's own options and the job's options, split at the job's file."""
    command = services["spark-job"]["command"]
    script = next(i for i, word in enumerate(command) if word.endswith("crash_monitor.py"))
    return command[:script + 1], command[script + 1:]


def test_spark_job_is_submitted_with_the_connector_of_the_clusters_spark(services):
    submit, _ = spark_job(services)
    version = services["spark-master"]["image"].split(":")[1].split("-")[0]
    assert services["spark-worker"]["image"] == services["spark-job"]["image"] == services["spark-master"]["image"]
    packages = submit[submit.index("--packages") + 1]
    assert packages == f"org.apache.spark:spark-sql-kafka-0-10_2.13:{version}"
    assert submit[submit.index("--master") + 1] == "spark://spark-master:7077"


def test_spark_job_file_is_mounted_and_its_options_are_accepted(services, tmp_path):
    submit, options = spark_job(services)
    mounts = dict(m.split(":")[:2][::-1] for m in services["spark-job"]["volumes"])  # container path -> source
    script = Path(submit[-1])
    assert str(script.parent) in mounts and (REPO / mounts[str(script.parent)] / script.name) == crash_monitor.HERE / "crash_monitor.py"
    # Outputs go to the shared volume; point them at a folder that exists here to parse the rest.
    work = next(target for target, source in mounts.items() if not source.startswith("."))
    args = crash_monitor.parse_args([o.replace(work, str(tmp_path)) for o in options])
    assert args.source == "kafka" and args.brokers == "kafka:9092" and args.console
    assert (args.window, args.watermark, args.threshold, args.mode) == (10_000, 30_000, 2, "update")
    assert str(args.checkpoint).startswith(str(tmp_path))  # on the volume the workers share
    assert work in {m.split(":")[1] for m in services["spark-worker"]["volumes"]}


# -- Dockerfile -------------------------------------------------------------------------------------------------

def dockerfile_instructions() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            keyword, _, arguments = pending.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
            pending = ""
    return instructions


def ignored(path: str, patterns: list[str]) -> bool:
    parts = Path(path).parts
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatch(prefix, pattern.lstrip("/")) for pattern in patterns for prefix in prefixes)


def test_dockerfile_copies_files_that_exist_and_are_in_the_build_context():
    patterns = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    stages, copied = set(), []
    for keyword, arguments in dockerfile_instructions():
        words = shlex.split(arguments)
        if keyword == "FROM" and len(words) == 3 and words[1].upper() == "AS":
            stages.add(words[2])
        elif keyword in ("COPY", "ADD"):
            flags = [w for w in words if w.startswith("--")]
            sources = [w for w in words if not w.startswith("--")][:-1]
            source_stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
            if source_stage is not None:
                assert source_stage in stages, f"COPY --from={source_stage}: no such stage"
                continue
            for source in sources:
                assert (REPO / source).exists(), f"{keyword} {source}: not in the repository"
                assert not ignored(source, patterns), f"{keyword} {source}: excluded by .dockerignore"
                copied.append(source)
        elif keyword == "RUN":
            for part in re.split(r"&&|;|\|\|", arguments):
                # The first word that is not a VAR=value assignment is the command.
                command = next((word for word in part.split() if not re.match(r"\w+=", word)), "")
                if "/" in command and not command.startswith(("/", "$")):
                    assert (REPO / command).is_file(), f"RUN {command}: not in the repository"
                    assert any(command == c or command.startswith(c.rstrip("/") + "/") for c in copied), \
                        f"RUN {command}: not copied into the image before it runs"
    assert {"Package.swift", "Sources"} <= set(copied)
    assert all(ignored(p, patterns) for p in (".build", ".deps", ".git"))  # the context stays small


def test_image_brings_the_pinned_librdkafka_from_scripts_setup_without_the_broker():
    setup = (REPO / "scripts" / "setup").read_text()
    assert 'rdkafka_wheel="confluent-kafka==2.16.1"' in setup
    assert '"$deps/lib/librdkafka.so.1"' in setup
    runs = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "RUN"]
    assert "WINDTUNNEL_SKIP_BROKER=1 scripts/setup" in runs
    assert any("cp -a .deps/lib /out/opt/windtunnel/.deps/lib" in run for run in runs)
    assert dockerfile_instructions()[-1] == ("CMD", '["generate"]')


def test_setup_can_leave_the_broker_out(tmp_path):
    """With WINDTUNNEL_SKIP_BROKER=1 and librdkafka in place, setup fetches nothing (the image runs no broker)."""
    (tmp_path / "scripts").mkdir()
    shutil.copy2(REPO / "scripts" / "setup", tmp_path / "scripts" / "setup")
    (tmp_path / ".deps" / "lib").mkdir(parents=True)
    (tmp_path / ".deps" / "lib" / "librdkafka.so.1").symlink_to(REPO / ".deps" / "lib" / "librdkafka.so.1")
    result = subprocess.run([str(tmp_path / "scripts" / "setup")], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "WINDTUNNEL_SKIP_BROKER": "1"})
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / ".deps").iterdir()) == ["lib"], result.stderr


def test_image_layout_loads_librdkafka_2_16_as_the_dockerfile_asserts(windtunnel, tmp_path):
    """The image keeps the build's layout under /opt/windtunnel and runs the binary through a link on PATH.
    The same layout under another folder, with the local build, must load 2.16 from its own .deps/lib through
    the binary's run-time search path, and doctor's output must pass the Dockerfile's check."""
    check = next(arguments for keyword, arguments in dockerfile_instructions()
                 if keyword == "RUN" and "windtunnel doctor" in arguments)
    pattern = re.search(r"grep -q '([^']+)'", check).group(1)
    image_root = "/opt/windtunnel"
    assert image_root in pattern
    root = tmp_path / "image"
    binary = root / windtunnel.resolve().parent.relative_to(REPO) / "windtunnel"
    binary.parent.mkdir(parents=True)
    shutil.copy2(windtunnel.resolve(), binary)
    shutil.copytree(REPO / ".deps" / "lib", root / ".deps" / "lib", symlinks=True)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "windtunnel").symlink_to(binary)
    environment = {key: value for key, value in os.environ.items() if key != "LD_LIBRARY_PATH"}
    result = subprocess.run([str(tmp_path / "bin" / "windtunnel"), "doctor", "--brokers", "127.0.0.1:1",
                             "--timeout-ms", "200"], capture_output=True, text=True, timeout=60, env=environment)
    assert re.search(pattern.replace(image_root, re.escape(str(root))), result.stdout, re.MULTILINE), result.stdout


def test_generator_and_detector_services_use_options_windtunnel_has(services, windtunnel):
    def help_text(command: str) -> str:
        result = subprocess.run([str(windtunnel), command, "--help"], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout

    generate = help_text("generate")
    for variable in COURSE_GENERATOR_VARIABLES:
        assert f"${variable}" in generate, f"windtunnel generate does not read {variable}"
    for option in re.findall(r"(?<=\s)--[a-z-]+", services["generator"]["command"][0]):
        assert re.search(rf"^\s+{re.escape(option)}\b", generate, re.MULTILINE), f"windtunnel generate has no {option}"
    detector = services["detector"]["command"]
    detect = help_text(detector[0])
    for option in (word for word in detector[1:] if word.startswith("--")):
        assert re.search(rf"^\s+{re.escape(option)}\b", detect, re.MULTILINE), f"windtunnel detect has no {option}"
