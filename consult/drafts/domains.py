"""The 30 policy domains of the basic-level openness standard (基层政务公开标准目录), code → names."""

from flask_babel import lazy_gettext as _l

# (code, Chinese name, English label). The code is what the database stores; the order is the display order.
DOMAINS = (
    ("major_projects", "重大建设项目", _l("Major construction projects")),
    ("public_resources", "公共资源交易", _l("Public resource trading")),
    ("budgets", "财政预决算", _l("Budgets and final accounts")),
    ("work_safety", "安全生产", _l("Work safety")),
    ("taxation", "税收管理", _l("Tax administration")),
    ("land_acquisition", "征地补偿", _l("Land acquisition and compensation")),
    ("house_expropriation", "国有土地上房屋征收与补偿", _l("Expropriation of housing on state-owned land")),
    ("rural_housing", "农村危房改造", _l("Renovation of dilapidated rural housing")),
    ("urban_enforcement", "城市综合执法", _l("Urban law enforcement")),
    ("poverty_relief", "扶贫", _l("Poverty alleviation")),
    ("employment", "就业", _l("Employment")),
    ("social_assistance", "社会救助", _l("Social assistance")),
    ("elderly_care", "养老服务", _l("Elderly care")),
    ("household_registration", "户籍管理", _l("Household registration")),
    ("farm_subsidies", "涉农补贴", _l("Agricultural subsidies")),
    ("health", "医疗卫生", _l("Medical and health services")),
    ("food_drugs", "食品药品监管", _l("Food and drug supervision")),
    ("environment", "生态环境", _l("Ecology and environment")),
    ("public_culture", "公共文化服务", _l("Public cultural services")),
    ("legal_services", "公共法律服务", _l("Public legal services")),
    ("compulsory_education", "义务教育", _l("Compulsory education")),
    ("natural_resources", "自然资源", _l("Natural resources")),
    ("transport", "交通运输", _l("Transport")),
    ("municipal_services", "市政服务", _l("Municipal services")),
    ("housing_security", "保障性住房", _l("Affordable housing")),
    ("veterans", "退役军人服务", _l("Veterans' services")),
    ("disaster_relief", "救灾", _l("Disaster relief")),
    ("water_resources", "水利", _l("Water resources")),
    ("market_regulation", "市场监管", _l("Market regulation")),
    ("government_affairs", "政务服务", _l("Government services")),
)
DOMAIN_CODES = tuple(code for code, _zh, _en in DOMAINS)
_BY_CODE = {code: (zh, en) for code, zh, en in DOMAINS}

assert len(DOMAINS) == 30 and len(set(DOMAIN_CODES)) == 30


def domain_label(code: str, locale: str = "zh_CN") -> str:
    """The domain's name in the visitor's language (the code itself if unknown)."""
    names = _BY_CODE.get(code)
    if names is None:
        return code
    return str(names[1]) if locale == "en" else names[0]


def domain_choices(locale: str = "zh_CN") -> list[tuple[str, str]]:
    """(code, label) pairs for a select field."""
    return [(code, domain_label(code, locale)) for code in DOMAIN_CODES]
