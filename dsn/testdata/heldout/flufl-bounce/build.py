import json, re, sys, os
src = open('/tmp/fl_detectors.py').read()
data_src = src[src.index('DATA = ('):]
ns = {}
exec(data_src, ns)
perm, temp = {}, set()
for d in ns['DATA']:
    mod, fn, exp = d[0], d[1], d[2]
    t = len(d) == 4 and d[3]
    if t:
        temp.add(fn); continue
    # groupwise_02: the groupwise detector expects [], the exchange one the address: union
    perm.setdefault(fn, set()).update(a.decode() for a in exp)
files = sorted(os.listdir('eml'))
exp_rows, isb = [], []
for fn in files:
    addrs = sorted(perm.get(fn, set()))
    if fn in temp:
        exp_rows.append({"file": fn, "index": 0}); isb.append({"file": fn, "truth": 0})
    elif addrs:
        for i, a in enumerate(addrs, 1):
            exp_rows.append({"file": fn, "index": i, "recipient": a})
        isb.append({"file": fn, "truth": 1})
    else:
        # a failure notice naming no full address (bounce_01: "dylan" without domain; dumbass_01: none)
        exp_rows.append({"file": fn, "index": 0}); isb.append({"file": fn, "truth": None})
with open('expected.jsonl', 'w') as f:
    for r in exp_rows: f.write(json.dumps(r) + "\n")
with open('isbounce.jsonl', 'w') as f:
    for r in isb: f.write(json.dumps(r) + "\n")
print(len(files), sum(1 for r in exp_rows if r["index"]), sum(1 for r in isb if r["truth"]==1), sum(1 for r in isb if r["truth"]==0))
