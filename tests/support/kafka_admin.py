#!/usr/bin/python3
"""An independent Kafka admin client for the real tier (confluent-kafka's
AdminClient), so cdcctl's topic commands are not checked with cdcctl's own
admin code.

usage:
  kafka_admin.py BOOTSTRAP describe TOPIC...
      {"TOPIC": {"partitions": N, "replication_factor": N,
                 "configs": {"key": {"value": "...", "default": bool}}}}
      (a topic the cluster lacks maps to null)
  kafka_admin.py BOOTSTRAP create TOPIC PARTITIONS [KEY=VALUE...]
"""
import json
import sys

from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic


def describe(admin, topics):
    metadata = admin.list_topics(timeout=15)
    out = {}
    present = []
    for name in topics:
        topic = metadata.topics.get(name)
        if topic is None or topic.error is not None:
            out[name] = None
            continue
        replicas = min(len(p.replicas) for p in topic.partitions.values())
        out[name] = {"partitions": len(topic.partitions), "replication_factor": replicas, "configs": {}}
        present.append(name)
    if present:
        futures = admin.describe_configs([ConfigResource("topic", name) for name in present], request_timeout=15)
        for resource, future in futures.items():
            entries = future.result(timeout=15)
            out[resource.name]["configs"] = {
                key: {"value": entry.value, "default": bool(entry.is_default)} for key, entry in entries.items()
            }
    json.dump(out, sys.stdout, sort_keys=True)


def create(admin, name, partitions, settings):
    configs = dict(setting.split("=", 1) for setting in settings)
    topic = NewTopic(name, num_partitions=int(partitions), replication_factor=1, config=configs)
    admin.create_topics([topic], request_timeout=15)[name].result(timeout=30)


def main():
    bootstrap, verb, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    if verb == "describe":
        describe(admin, args)
    elif verb == "create":
        create(admin, args[0], args[1], args[2:])
    else:
        sys.exit(__doc__)


main()
