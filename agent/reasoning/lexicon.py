"""Cue patterns the offline reasoner reads in untrusted text (matched, never obeyed)."""

from __future__ import annotations

import re


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


SECURITY = _rx(
    r"phish\w*", r"malware", r"ransomware", r"trojan", r"virus(es)?", r"rootkit", r"backdoor",
    r"brute[- ]?forc\w*", r"failed (password|login|logins|log-?ins|sign-?ins?|authentication)s?",
    r"(invalid|unknown) user", r"authentication failures?", r"unauthori[sz]ed",
    r"intrusion", r"exfiltrat\w*", r"credential[s]? (theft|stolen|leak\w*|compromis\w*|stuffing)",
    r"(stolen|leaked|exposed|compromised) (\w+ ){0,2}(credentials?|secrets?|keys?|tokens?|"
    r"passwords?)", r"(was not|wasn't|not) me", r"someone (else )?(logged|signed) (in|into|on)",
    r"suspicious (log-?ins?|sign-?ins?|emails?|activity|process(es)?|binar(y|ies)|files?|traffic|"
    r"connections?|links?|attachments?)",
    r"port ?scan\w*", r"sql injection", r"privilege escalation", r"cve-\d{4}-\d+",
    r"command[- ]and[- ]control", r"c2 (server|beacon\w*|traffic)", r"lateral movement",
    r"data breach", r"impossible travel", r"mfa (fatigue|bombing|push spam)", r"ddos",
    r"account takeover", r"crypto-?min(er|ing)", r"compromised", r"infected", r"spoof\w*",
    r"web shell", r"webshell", r"security (incident|breach|alert|event)",
)
SECURITY_TOOLS = _rx(r"falco", r"wazuh", r"guardduty", r"crowdstrike", r"defender", r"suricata",
                     r"snort", r"ossec", r"clamav", r"sentinelone", r"edr", r"siem", r"ids", r"waf")
CONFIRMED = _rx(
    # "confirmed <threat>" states the confirmation itself (before the bare word, which is weak)
    r"confirmed (malware|ransomware|trojan|backdoor|rootkit|(crypto-?)?miner|intrusion|breach|"
    r"compromise|exfiltration|credential theft|infection)",
    r"confirmed", r"compromised", r"exfiltrat(ed|ion|ing)", r"infected",
    r"(credentials?|passwords?|tokens?|keys?) (were |was |have been |has been )?(stolen|used by)",
    r"entered (my|their|his|her) (password|credentials)", r"encrypt(ed|ing) (files|the|our|data)",
    r"(malware|ransomware|trojan|backdoor|miner)( \([^)]{1,40}\))? (is )?(running|executing|"
    r"executed|active|"
    r"spreading|beaconing|installed|confirmed)",
    r"unauthori[sz]ed (access|login|log-?in|sign-?in)s? (to|from|on|was|has|succeeded|confirmed)",
    r"successful (log-?in|sign-?in) from", r"account takeover", r"data breach", r"web ?shell",
    r"(keys?|credentials?|tokens?|passwords?) ([\w-]+ ){0,3}used (from|by|to)",
    r"(it )?(was not|wasn't) me", r"someone (else )?(logged|signed) (in|into|on)",
    r"(entered|typed|submitted) (my|their|his|her|the) (\w+ )?(password|credentials)",
)
NEGATION = re.compile(r"\b(no|not|without|never|nothing|none)\b[^.;]{0,25}$", re.IGNORECASE)
NOT_CONFIRMED = _rx(
    r"no (evidence|sign|indication)s? of", r"not (compromised|infected|confirmed)", r"attempt\w*",
    r"possibl[ey]", r"suspect\w*", r"potential(ly)?", r"blocked", r"quarantined", r"prevented",
    r"denied", r"failed (password|login|logins|sign-?ins?)", r"unconfirmed", r"may have",
)
CONTAINED = _rx(r"contained", r"isolated", r"quarantined", r"blocked", r"revoked", r"disabled")

CANT = _rx(r"(doesn't|does not|isn't|is not|won't|will not|can't|cannot|couldn't|unable to) \w+")
PROBLEM = _rx(
    r"down", r"outage", r"not (working|loading|responding|available|reachable)",
    r"(doesn't|does not|isn't|is not|won't|will not) (work|load|start|boot|open|connect)\w*",
    r"broken", r"fail(s|ed|ing|ures?)?", r"errors?", r"5\d\d", r"time-?outs?", r"timing out",
    r"timed out", r"crash\w*", r"unreachable", r"unavailable", r"slow(ness|ly|er)?", r"latency",
    r"hang(s|ing)?", r"stuck", r"lost", r"corrupt\w*", r"degraded", r"bounc(e|ed|ing)",
    r"stick(s|ing|y)?", r"flicker\w*", r"cracked", r"dead", r"blank( white)? (page|screen)",
    r"empty (results? )?page", r"error page", r"won't turn on", r"no (sound|signal|power)",
    r"wrong", r"incorrect", r"never (returns?|arrives?|loads?|completes?|finish\w*)", r"stale",
    r"delay(ed|s)?", r"empty", r"by mistake", r"dropp(ed|ing)", r"missing",
    r"not (detected|found|received|syncing|updating|sent|delivered|showing)",
    r"vanish\w*", r"disappear\w*", r"blocked", r"behind", r"late", r"twice", r"stopped",
    r"loop(s|ing)?", r"no longer", r"times? out", r"bloat\w*", r"double-?(count\w*|charg\w*)",
    r"disconnect\w*", r"rejected", r"declined", r"spinning", r"blank page", r"freez\w*",
)
HARD_FAILURE = _rx(
    r"down", r"outage", r"unavailable", r"unreachable", r"not (responding|loading|reachable)",
    r"all (users|customers|requests|payments|orders)",
    r"(nobody|no ?one)( \w+){0,4} can (log|sign|access|connect|reach|use|work|open|load|pay|"
    r"check ?out|order|buy|send|receive)\w*",
    r"(everyone|everybody|all \w+)( \w+){0,4} (can't|cannot|can not|(is|are) unable)",
    r"(everyone|everybody|customers|users) (can't|cannot|are unable)", r"completely",
    r"hard down", r"(is|are) not running", r"total(ly)? (failure|outage)",
    r"(fail\w*|errors?|declin\w*|reject\w*) (for|on) (all|every|100 ?%)", r"every (\w+ ){0,3}"
    r"(fail\w*|errors?|declin\w*|ends? (on|in|with) an? error)", r"declined every",
    r"(unable|can't|cannot) (to )?work", r"blocked from working", r"no leader",
    r"within (the|an|one) hour", r"in \d{1,2} ?(minutes|mins)",
)
USER_REPORT = _rx(
    r"(users?|customers?|clients?|shoppers?|people|merchants?) (are |were |keep |have been )?"
    r"(report\w*|complain\w*|seeing|getting|experiencing|unable|can't|cannot|hitting|stuck)",
    r"(complaints?|reports?|tickets?) (from|by) (users?|customers?|clients?)",
    r"support (is )?(getting|flooded|receiving)", r"customer[- ]facing (outage|errors?|impact)",
    r"(customers?|users?|shoppers?) (are |were )?(affected|impacted)", r"status page",
    r"(complete|total|full|major) outage",
)
DEGRADATION = _rx(r"slow\w*", r"latency", r"degraded", r"intermittent\w*", r"sometimes",
                  r"occasional\w*", r"some (users|customers|requests|pages|payments|orders)",
                  r"partial\w*", r"sluggish", r"lag\w*", r"take \d+ ?s", r"takes? (ages|long)")
SLO_BREACH = _rx(
    r"slo (breach\w*|violat\w*|burn\w*|missed|exhausted)",
    r"(breach\w*|violat\w*) (of )?(the )?slo",
    r"error budget (burn\w*|exhausted|consumed)", r"sla (breach\w*|violat\w*|missed)",
    r"burn rate", r"user[- ]facing (outage|errors?|impact)",
)
ERROR_OR_LATENCY = _rx(r"error[- ]?rate", r"5\d\d", r"5xx", r"errors?", r"latency", r"p9\d",
                       r"response time", r"timeouts?", r"slow\w*", r"availability")
REQUEST = _rx(
    r"please (give|grant|provide|create|add|set ?up|install|order|reset|enable|share|send|"
    r"renew|extend|increase|approve|remove|update|change|invite|onboard|configure|check|look|"
    r"open|restart|reboot|schedule|run|deploy|roll ?out|fetch|resolve|scale)",
    r"(could|can|would) (you|i|we|someone|the bot|the agent|triage) (please )?(get|have|give|"
    r"grant|create|add|set ?up|install|order|reset|provide|help me (get|set)|open|check|look|"
    r"restart|reboot|run|fetch|resolve)",
    r"change request", r"(standard|normal|planned) change",
    r"request(ing)? (for|access|a |an |new )", r"i('d| would) like (to (get|have|request)|a |an )",
    r"need (access|a new|an? (account|license|licence|laptop|monitor|vm))",
    r"access to", r"new (laptop|monitor|keyboard|account|hire|starter|license|licence|phone)",
    r"onboard\w*", r"provision\w*", r"how (do|can) i", r"permissions? (to|for|on)",
    r"password reset", r"reset my password", r"please (rename|move|delete|archive|book|buy)",
    r"i('d| would) like", r"what (is|are) the", r"(is|are) there (a|an|any) ",
    r"(could|can) (someone|you) (tell|explain|let me know)",
)
INTERACTED = _rx(r"(i |they |he |she |user )?(clicked|opened|downloaded|ran|executed|installed)",
                 r"entered (my|their|his|her) ")
MAINT_ANNOUNCE = _rx(
    r"(scheduled|planned) (maintenance|downtime|upgrade|work|outage|migration|reboot|patching)",
    r"maintenance window", r"will be (down|unavailable|offline|read-only|restarted|rebooted)",
    r"change window", r"(upgrade|migration|patching) (is )?(scheduled|planned) for",
)
ALREADY_FIXED = _rx(r"(is |was |has been |got )?(fixed|resolved|recovered)( by| now| since)?",
                    r"back to normal", r"post-?mortem", r"follow-?up", r"all clear")
FYI = _rx(r"fyi", r"heads-?up", r"for your information", r"nothing to do", r"no action",
          r"(is |was |has been )?(done|completed|finished|deployed|green|succeeded)",
          r"just letting you know", r"announcement")
HEARTBEAT = _rx(r"watchdog", r"heartbeat", r"dead ?man'?s ?switch", r"always firing",
                r"infoinhibitor", r"keep-?alive", r"is alive")
NOT_URGENT = _rx(r"not urgent", r"no rush", r"whenever (you|someone) (can|get)", r"low priority",
                 r"no hurry", r"when you (have|get) a (moment|chance)", r"not a big deal")
SLOW_BURN = _rx(r"will (fill|run out|exhaust|expire)", r"predict\w*", r"in \d+ (days|weeks|hours)",
                r"within \d+ (days|weeks|hours)", r"trend\w*", r"approaching", r"expires? in",
                r"gradual\w*", r"slowly")
SINGLE_SCOPE = _rx(r"my (laptop|computer|pc|mac|monitor|phone|account|mouse|keyboard|printer|"
                   r"headset|mailbox|vpn|desk|machine)", r"for me", r"only me", r"one user",
                   r"single (user|customer|account|device)",
                   r"(one|a single) customer('s)? account")
BROAD_SCOPE = _rx(r"all (users|customers|employees|staff|requests)", r"everyone", r"everybody",
                  r"company-?wide", r"whole (company|office|team)", r"nobody", r"no ?one",
                  r"many (users|customers)", r"multiple (users|customers)")
HIGH_VALUE_ASSET = _rx(r"prod(uction)?", r"database", r"db", r"server", r"cloud", r"aws", r"gcp",
                       r"azure", r"iam", r"root", r"admin\w*", r"api[- ]?keys?", r"customer data",
                       r"pii", r"card ?data", r"payments?", r"kubernetes", r"cluster", r"s3",
                       r"access keys?", r"service account", r"domain controller")
LOG_UNUSUAL = _rx(
    r"out of memory", r"oom", r"killed process", r"segfault", r"segmentation fault", r"panic",
    r"disk (is )?(almost |nearly )?full", r"no space left", r"too many (connections|open files)",
    r"connection pool (exhausted|full)", r"replication lag", r"certificate (will )?expir\w*",
    r"i/o error", r"read-only file ?system", r"deadlock", r"corrupt\w*", r"retry(ing)? \d+/\d+",
    r"throttl\w*", r"backlog", r"high (load|latency|memory|cpu)", r"unusual", r"unexpected",
)

# Severity inferred from wording when the sender gives none (monitoring rule text).
SEV_EXCEPTION = _rx(
    r"down", r"is not running", r"not running", r"unavailable", r"unreachable", r"crash\w*",
    r"out of (memory|disk|space|inodes)", r"oom\w*", r"dead", r"no leader", r"missing",
    r"corrupt\w*", r"not ready", r"fatal", r"critical", r"broken", r"split brain",
    r"no (data|jobs?|members?|quorum)", r"disappeared", r"data loss", r"lost", r"expired",
    r"insufficient", r"exhausted", r"panic", r"(less than|only) [\d.x]+ ?% (\w+ )?(left|free)",
    r"all \w+ (are |have )?(down|failed|failing)", r"cannot", r"unable",
)
SEV_EXCEPTION_WEAK = _rx(r"(has |have )?failed", r"failures?", r"failing", r"errors?",
                         r"rejected", r"disconnected", r"full")
# A breach as the contract defines it: a value reported against its threshold or limit
# ("87.5% ... above the threshold 30%", "utilization > 80%", "exceeds 100 spans/second"),
# not a duration ("over the last 5 minutes", "for more than 10 minutes")
SEV_BREACH = re.compile(
    r"\b(above|exceed(s|ed|ing)?|(?<!for )more than|greater than|higher than|below|"
    r"(?<!for )less than|lower than)\b[^.\n]{0,40}?(\bthreshold\b|\blimit\b|\d)|[<>]=? ?\d",
    re.IGNORECASE)
SEV_WARNING = _rx(
    r"high", r"slow\w*", r"will (fill|run out|expire)", r"predict\w*", r"approaching", r"too many",
    r"restart\w*", r"lag\w*", r"degraded", r"almost", r"nearly", r"near", r"usage", r"latency",
    r"throttl\w*", r"pending", r"unusual", r"increas\w*", r"elevated", r"low", r"warning",
    r"soon", r"delay\w*", r"flapping", r"changed?", r"outdated", r"backlog",
)
SEV_INFO = _rx(r"info(rmational)?", r"for information", r"notice", r"new version",
               r"has started",
               r"was (started|deployed|restarted)", r"completed", r"finished", r"succeeded",
               r"backup (done|completed|finished)")
