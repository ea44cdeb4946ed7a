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
  kafka_admin.py BOOTSTRAP consume TOPIC [read_committed|read_uncommitted]
      every record up to the end, one JSON object a line:
      {"partition", "offset", "key", "value", "headers": [[name, value]...]}
      (bytes decoded as UTF-8 with replacement)
  kafka_admin.py BOOTSTRAP committed GROUP TOPIC
      {"PARTITION": OFFSET or null} as the group committed them
"""
import json
import sys

from confluent_kafka import Consumer, TopicPartition
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


def text(data):
    return None if data is None else data.decode("utf-8", "replace")


def consume(bootstrap, topic, isolation="read_committed"):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "kafka-admin-py", "enable.auto.commit": False,
                         "isolation.level": isolation, "enable.partition.eof": True})
    partitions = consumer.list_topics(topic, timeout=15).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions])  # 0: from the beginning
    open_partitions = set(partitions)
    idle = 0
    while open_partitions and idle < 100:
        message = consumer.poll(0.2)
        if message is None:
            idle += 1
            continue
        idle = 0
        if message.error():
            if message.error().code() == -191:  # _PARTITION_EOF
                open_partitions.discard(message.partition())
                continue
            raise SystemExit(str(message.error()))
        headers = [[name, text(value)] for name, value in (message.headers() or [])]
        print(json.dumps({"partition": message.partition(), "offset": message.offset(), "key": text(message.key()),
                          "value": text(message.value()), "headers": headers}))
    consumer.close()


def committed(bootstrap, group, topic):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    partitions = consumer.list_topics(topic, timeout=15).topics[topic].partitions
    result = consumer.committed([TopicPartition(topic, p) for p in partitions], timeout=15)
    json.dump({str(tp.partition): (tp.offset if tp.offset >= 0 else None) for tp in result}, sys.stdout)
    consumer.close()


def main():
    bootstrap, verb, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    admin = AdminClient({"bootstrap.servers": bootstrap})  # only connects when asked
    if verb == "describe":
        describe(admin, args)
    elif verb == "create":
        create(admin, args[0], args[1], args[2:])
    elif verb == "consume":
        consume(bootstrap, *args)
    elif verb == "committed":
        committed(bootstrap, *args)
    else:
        sys.exit(__doc__)


main()
