#!/usr/bin/env python3
"""Offline validation of the reportflow Kubernetes manifests (deploy/k8s/**.yaml), run by
scripts/ci-deploy.sh.

1. Every built-in resource validates strictly (unknown fields are errors) against the
   Kubernetes API schemas bundled with PyPI's kubernetes-validate; a kind without a bundled
   schema is an error, not a silent pass.
2. KEDA resources (CRDs, no bundled schema) validate against our own JSON schemas in
   deploy/k8s/schemas/.
3. Cross-checks: every Deployment has /health liveness and /ready readiness probes, resource
   requests and limits and a PodDisruptionBudget; every ScaledObject targets a Deployment here,
   watches that Deployment's consumer group (REPORTFLOW_GROUP_ID) and input topic, uses the
   ConfigMap's brokers, keeps allowIdleConsumers "false" and caps maxReplicaCount at the
   partition count of its input topics (taken from the kafka-init topic list in
   deploy/compose.yaml).

Usage: validate.py [--kubernetes-version 1.30.0]
"""
import argparse
import json
import pathlib
import re
import sys

import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

HERE = pathlib.Path(__file__).resolve().parent
COMPOSE = HERE.parent / "compose.yaml"


def load_docs():
    docs = []
    for path in sorted(HERE.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs.append((path.relative_to(HERE.parent.parent), doc))
    return docs


def partitions_from_compose():
    """{topic: partitions} from the `create <topic> <partitions> <retention>` lines."""
    text = COMPOSE.read_text()
    return {m[1]: int(m[2]) for m in re.finditer(r"^\s*create (\S+)\s+(\d+)\s", text, re.M)}


def env_of(deployment):
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubernetes-version", default="1.30.0")
    args = parser.parse_args()

    errors = []
    docs = load_docs()
    by_kind = {}
    for path, doc in docs:
        kind, api = doc.get("kind"), doc.get("apiVersion", "")
        name = doc.get("metadata", {}).get("name", "?")
        by_kind.setdefault(kind, []).append(doc)
        where = f"{path}: {kind}/{name}"
        if api.startswith("keda.sh/"):
            schema_file = HERE / "schemas" / f"{kind.lower()}-{api.replace('/', '-')}.json"
            if not schema_file.exists():
                errors.append(f"{where}: no schema {schema_file.name} for this CRD")
                continue
            schema = json.loads(schema_file.read_text())
            for err in jsonschema.Draft202012Validator(schema).iter_errors(doc):
                errors.append(f"{where}: {'.'.join(map(str, err.path))}: {err.message}")
            print(f"ok  {where} (own schema {schema_file.name})")
            continue
        try:
            kubernetes_validate.validate(doc, args.kubernetes_version, strict=True)
            print(f"ok  {where} (Kubernetes {args.kubernetes_version} schema, strict)")
        except ValidationError as err:
            errors.append(f"{where}: {'.'.join(map(str, err.path))}: {err.message}")
        except SchemaNotFoundError as err:
            errors.append(f"{where}: {err.message}")

    deployments = {d["metadata"]["name"]: d for d in by_kind.get("Deployment", [])}
    configmaps = by_kind.get("ConfigMap", [])
    brokers = configmaps[0]["data"].get("REPORTFLOW_BROKERS") if configmaps else None
    pdbs = by_kind.get("PodDisruptionBudget", [])
    partitions = partitions_from_compose()
    if not partitions:
        errors.append(f"{COMPOSE}: found no `create <topic> <partitions>` lines")

    for name, dep in deployments.items():
        pod = dep["spec"]["template"]["spec"]
        c = pod["containers"][0]
        if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/health":
            errors.append(f"Deployment/{name}: livenessProbe must GET /health")
        if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/ready":
            errors.append(f"Deployment/{name}: readinessProbe must GET /ready")
        res = c.get("resources", {})
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                if r not in res.get(part, {}):
                    errors.append(f"Deployment/{name}: resources.{part}.{r} missing")
        labels = dep["spec"]["selector"]["matchLabels"]
        if not any(p["spec"]["selector"].get("matchLabels") == labels for p in pdbs):
            errors.append(f"Deployment/{name}: no PodDisruptionBudget selects {labels}")

    for so in by_kind.get("ScaledObject", []):
        name = so["metadata"]["name"]
        target = so["spec"]["scaleTargetRef"]["name"]
        dep = deployments.get(target)
        if dep is None:
            errors.append(f"ScaledObject/{name}: target Deployment {target} is not in deploy/k8s")
            continue
        env = env_of(dep)
        inputs = [t.strip() for t in (env.get("REPORTFLOW_INPUT_TOPICS") or "").split(",") if t.strip()]
        for trig in so["spec"]["triggers"]:
            if trig.get("type") != "kafka":
                continue
            md = trig["metadata"]
            if md.get("consumerGroup") != env.get("REPORTFLOW_GROUP_ID"):
                errors.append(f"ScaledObject/{name}: consumerGroup {md.get('consumerGroup')} "
                              f"!= REPORTFLOW_GROUP_ID {env.get('REPORTFLOW_GROUP_ID')} of {target}")
            if brokers and md.get("bootstrapServers") != brokers:
                errors.append(f"ScaledObject/{name}: bootstrapServers {md.get('bootstrapServers')} "
                              f"!= REPORTFLOW_BROKERS {brokers} of the ConfigMap")
            if md.get("allowIdleConsumers") != "false":
                errors.append(f"ScaledObject/{name}: allowIdleConsumers must be \"false\"")
            topics = [md["topic"]] if "topic" in md else inputs
            for t in topics:
                if t not in inputs:
                    errors.append(f"ScaledObject/{name}: topic {t} is not an input of {target}")
                if t not in partitions:
                    errors.append(f"ScaledObject/{name}: topic {t} is not created in compose.yaml")
            cap = sum(partitions.get(t, 0) for t in topics)
            max_r = so["spec"].get("maxReplicaCount", 100)
            if max_r > cap:
                errors.append(f"ScaledObject/{name}: maxReplicaCount {max_r} > {cap} partitions of {topics}")
            if "topic" in md and max_r != cap:
                errors.append(f"ScaledObject/{name}: maxReplicaCount {max_r} should equal the "
                              f"{cap} partitions of {md['topic']}")
        if so["spec"].get("minReplicaCount", 0) > so["spec"].get("maxReplicaCount", 100):
            errors.append(f"ScaledObject/{name}: minReplicaCount > maxReplicaCount")

    if errors:
        print(f"\n{len(errors)} problem(s) in deploy/k8s:", file=sys.stderr)
        for e in errors:
            print(f"  - {e}", file=sys.stderr)
        return 1
    print(f"deploy/k8s: {len(docs)} resources valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
