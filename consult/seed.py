"""Demo data for ``flask --app consult seed-demo``. Every step is idempotent."""

import sqlalchemy as sa

from consult.accounts import services as accounts
from consult.accounts.departments import ORDER_STEP
from consult.accounts.models import ADMIN, EDITOR, OFFICER, REVIEWER, Department, User
from consult.disclosure.seed import seed_disclosure_requests
from consult.drafts.seed import seed_drafts
from consult.events.seed import seed_events
from consult.extensions import db
from consult.interviews.seed import seed_interviews
from consult.mailbox.seed import seed_mailboxes
from consult.practice.seed import seed_practice
from consult.stats.commands import seed_answer_dates
from consult.surveys.seed import seed_questionnaires
from consult.tracking.seed import seed_submissions

DEMO_PASSWORD = "consult-demo-2026"

# Lead offices of the basic-level openness standard's domains (基层政务公开标准目录), in the official order of
# a county government's departments (政府办 first, then the order of the State Council's departments).
DEPARTMENTS = (
    ("XZFB", "县人民政府办公室", "County Government Office"),
    ("FGJ", "县发展和改革局", "Development and Reform Bureau"),
    ("JYJ", "县教育局", "Education Bureau"),
    ("GAJ", "县公安局", "Public Security Bureau"),
    ("MZJ", "县民政局", "Civil Affairs Bureau"),
    ("SFJ", "县司法局", "Justice Bureau"),
    ("CZJ", "县财政局", "Finance Bureau"),
    ("RSJ", "县人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    ("ZRZYJ", "县自然资源和规划局", "Natural Resources and Planning Bureau"),
    ("STHJJ", "县生态环境分局", "Ecology and Environment Bureau"),
    ("ZJJ", "县住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    ("JTJ", "县交通运输局", "Transport Bureau"),
    ("SLJ", "县水利局", "Water Resources Bureau"),
    ("NYNCJ", "县农业农村局", "Agriculture and Rural Affairs Bureau"),
    ("WLJ", "县文化和旅游局", "Culture and Tourism Bureau"),
    ("WJJ", "县卫生健康局", "Health Bureau"),
    ("TYJRJ", "县退役军人事务局", "Veterans Affairs Bureau"),
    ("YJJ", "县应急管理局", "Emergency Management Bureau"),
    ("SCJGJ", "县市场监督管理局", "Market Regulation Bureau"),
    ("YBJ", "县医疗保障局", "Healthcare Security Bureau"),
    ("TJJ", "县统计局", "Statistics Bureau"),
    ("CGJ", "县城市管理局", "Urban Management Bureau"),
)

# (e-mail, name, role, department code)
STAFF = (
    ("admin@consult.localhost", "系统管理员", ADMIN, None),
    ("editor@consult.localhost", "王编辑", EDITOR, "XZFB"),
    ("officer.xzfb@consult.localhost", "钱经办", OFFICER, "XZFB"),  # answers comments on the open demo draft
    ("reviewer.xzfb@consult.localhost", "冯审核", REVIEWER, "XZFB"),
    ("officer.sfj@consult.localhost", "李经办", OFFICER, "SFJ"),
    ("reviewer.sfj@consult.localhost", "赵审核", REVIEWER, "SFJ"),
    ("officer.czj@consult.localhost", "陈经办", OFFICER, "CZJ"),
    ("reviewer.czj@consult.localhost", "周审核", REVIEWER, "CZJ"),
    ("officer.mzj@consult.localhost", "刘经办", OFFICER, "MZJ"),
    ("reviewer.mzj@consult.localhost", "孙审核", REVIEWER, "MZJ"),
    ("officer.zrzyj@consult.localhost", "吴经办", OFFICER, "ZRZYJ"),
    ("reviewer.zrzyj@consult.localhost", "郑审核", REVIEWER, "ZRZYJ"),
)

CITIZENS = (("citizen@consult.localhost", "张三"),)


def seed_departments() -> dict[str, Department]:
    existing = {d.code: d for d in db.session.scalars(sa.select(Department))}
    for position, (code, name, name_en) in enumerate(DEPARTMENTS, start=1):
        if code not in existing:
            existing[code] = Department(code=code, name=name, name_en=name_en, sort_order=position * ORDER_STEP,
                                        contact_email=f"{code.lower()}@consult.localhost")
            db.session.add(existing[code])
    db.session.flush()
    return existing


def seed_users(departments: dict[str, Department]) -> list[User]:
    created = []
    for email, name, role, code in STAFF:
        if accounts.find_user_by_email(email) is None:
            created.append(accounts.create_staff_user(email, name, DEMO_PASSWORD, role, departments.get(code)))
    for email, name in CITIZENS:
        if accounts.find_user_by_email(email) is None:
            created.append(accounts.register_citizen(email, name, DEMO_PASSWORD))
    return created


# Each step takes the departments by code and creates its content only if it is missing.
CONTENT_STEPS = (
    seed_submissions,  # tracked submissions in every status, some overdue
    seed_events,  # open days in every mode
    seed_mailboxes,  # mailboxes with letters in every status, public answers among them
    seed_drafts,  # drafts: one open, one closed, one with its feedback report
    seed_disclosure_requests,  # information requests in every outcome, over two years
    seed_questionnaires,  # questionnaires: one open on the open draft, one closed with published results
    seed_interviews,  # online interviews: one archived with its transcript, one announced
    seed_practice,  # what the compliance self-check flags: old letters, an overdue rectification, a short window
    seed_answer_dates,  # statistics: answer dates of the backdated demo answers (keep last)
)


def seed_demo() -> None:
    """Create the demo departments, accounts and content (safe to run again)."""
    departments = seed_departments()
    seed_users(departments)
    for step in CONTENT_STEPS:
        step(departments)
