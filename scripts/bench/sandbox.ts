/**
 * Postmark client + sandbox figures: start-up, create (with real RSA key generation), paging over
 * 1,000 domains, find-by-name, verify, and a create whose answer is lost (the no-duplicate path).
 */
import { startSandbox } from "../../sandbox/postmark/server";
import { PostmarkClient } from "../../lib/postmark/client";
import { BenchFigure, median, timeIt } from "./figure";

export async function run(): Promise<BenchFigure[]> {
  const area = "postmark-sandbox";
  const figures: BenchFigure[] = [];
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    let close: () => Promise<void> = async () => undefined;
    starts.push(await timeIt(async () => ({ close } = await startSandbox())));
    await close();
  }
  figures.push({ area, name: "startSandbox (in-process, ephemeral port)", value: median(starts), detail: "median of 5" });

  const sb = await startSandbox();
  try {
    const client = new PostmarkClient({ accountToken: sb.accountToken, apiUrl: sb.url, retry: { limit: 4, baseDelayMs: 5, maxDelayMs: 20 } });
    const creates: number[] = [];
    for (let i = 0; i < 10; i++) creates.push(await timeIt(() => client.createDomain({ Name: `bench${i}.example.test` })));
    figures.push({ area, name: "createDomain (1024-bit RSA key)", value: median(creates), detail: "median of 10" });

    figures.push({ area, name: "seed 1,000 domains (admin API)", value: await timeIt(() => sb.admin.seedDomains(1000)) });
    const lists: number[] = [];
    for (let i = 0; i < 5; i++) lists.push(await timeIt(() => client.listDomains()));
    figures.push({ area, name: "listDomains over 1,010 domains (3 pages)", value: median(lists), detail: "median of 5" });
    const finds: number[] = [];
    for (let i = 0; i < 5; i++) finds.push(await timeIt(() => client.findDomainByName(`seed${900 + i}.sandbox.test`)));
    figures.push({ area, name: "findDomainByName among 1,010 (list all + get, lazy key)", value: median(finds), detail: "median of 5" });

    const d = await client.findDomainByName("bench0.example.test");
    await sb.admin.addTxt(d!.DKIMPendingHost, d!.DKIMPendingTextValue);
    const verifies: number[] = [];
    for (let i = 0; i < 5; i++) verifies.push(await timeIt(() => client.verifyDkim(d!.ID)));
    figures.push({ area, name: "verifyDkim (declared DNS)", value: median(verifies), detail: "median of 5" });

    await sb.admin.injectFault({ kind: "drop", phase: "after", count: 1, method: "POST", pathPrefix: "/domains" });
    figures.push({ area, name: "createDomain with lost answer (drop → list 1,011 → get)", value: await timeIt(() => client.createDomain({ Name: "lost.example.test" })) });
  } finally {
    await sb.close();
  }
  return figures;
}
