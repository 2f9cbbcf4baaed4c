"""Writes p4-hot-account.jsonl: one business account, five senders each paying every 14 h for
190 days, then 2,000 deposits 86 s apart from 20 senders with a withdrawal after every fourth
(4,130 lines). Usage: python3 p4-hot-account.py > /tmp/p4-hot-account.jsonl"""
import datetime, json, random, sys
random.seed(1)
t0 = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
acct = 'acct-hot'
senders = ['0x%040x' % (0xabc000 + i) for i in range(20)]
n = 0
def stamp(t): return t.strftime('%Y-%m-%dT%H:%M:%S.000Z')
def dep(t, s, usd):
    global n; n += 1
    return {"schema": "exchange.transfer.v1", "eventId": f"hot-d{n}", "kind": "deposit", "status": "completed", "occurredAt": stamp(t), "accountId": acct, "chain": "ethereum", "asset": "USDC", "amount": f"{usd:.2f}", "usdValue": usd, "txHash": "0x%064x" % n, "from": [s], "to": "0x00000000000000000000000000000000000000aa", "customer": {"type": "business", "kycCountry": "US", "createdAt": "2024-01-01T00:00:00.000Z"}}
def wd(t, usd):
    global n; n += 1
    return {"schema": "exchange.transfer.v1", "eventId": f"hot-w{n}", "kind": "withdrawal", "status": "completed", "occurredAt": stamp(t), "accountId": acct, "chain": "ethereum", "asset": "USDC", "amount": f"{usd:.2f}", "usdValue": usd, "txHash": "0x%064x" % n, "from": [], "to": "0x%040x" % (0xdd00 + n % 7), "session": {"ip": "73.3.6.7", "ipCountry": "US", "vpn": False, "deviceId": "dev-hot"}, "customer": {"type": "business", "kycCountry": "US", "createdAt": "2024-01-01T00:00:00.000Z"}}
ev = []
t = t0
while t < t0 + datetime.timedelta(days=190):
    for s in senders[:5]:
        ev.append(dep(t + datetime.timedelta(minutes=random.randint(0, 600)), s, random.uniform(2000, 9000)))
    t += datetime.timedelta(hours=14)
for i in range(2000):
    tt = t + datetime.timedelta(seconds=i * 86)
    ev.append(dep(tt, random.choice(senders), random.uniform(2000, 9000)))
    if i % 4 == 0: ev.append(wd(tt + datetime.timedelta(seconds=30), random.uniform(5000, 20000)))
ev.sort(key=lambda m: (m['occurredAt'], m['eventId']))
sys.stdout.writelines(json.dumps(m) + '\n' for m in ev)
