// What the figures were measured on: they mean little without the machine, the server and how
// busy the machine was (other work may share these 2-core machines).
import { execFileSync } from "node:child_process";
import os from "node:os";

export async function describeMachine(client) {
  const setting = async (name) => (await client.query("select current_setting($1) as value", [name])).rows[0].value;
  return {
    cores: Number(execFileSync("nproc", { encoding: "utf8" }).trim()),
    cpu: os.cpus()[0]?.model?.trim() ?? "unknown CPU",
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    postgres: (await client.query("select version() as v")).rows[0].v.replace(/ on .*$/, ""),
    settings: `shared_buffers ${await setting("shared_buffers")}, work_mem ${await setting("work_mem")}, ` +
      `synchronous_commit ${await setting("synchronous_commit")}, wal_writer_delay ${await setting("wal_writer_delay")}`,
    node: process.version,
    load: os.loadavg().map((value) => value.toFixed(2)).join(" "),
  };
}
