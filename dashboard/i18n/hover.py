"""Hover texts in Chinese: the notes of levers and the sources of behaviour parameters, which
`sim` declares in English (sim/policies/levers.py, sim/parameters.py). The Chinese view shows
these; the English view shows the declarations themselves.

Each entry is `path: (中文, digest of the English it translates)` (the first 10 hex digits of
its SHA-1). When a declaration's English changes, its digest no longer matches and
tests/test_dashboard_hover.py names the entry to translate again, so the Chinese never
silently says something the English no longer does. File names, cited authors and field
paths stay as written (tests/chinese_view.py).
"""
from __future__ import annotations

import hashlib


def digest(english: str) -> str:
    return hashlib.sha1(english.encode("utf-8")).hexdigest()[:10]


def translated(table: dict[str, tuple[str, str]], path: str, english: str, lang: str) -> str:
    """The Chinese of `english` (declared for `path`) in the Chinese view, else `english`."""
    if lang != "zh" or not english:
        return english
    pair = table.get(path)
    return pair[0] if pair else english


LEVER_NOTES: dict[str, tuple[str, str]] = {
    'policy.phase_in_years': (
        '文件未作规定：假设为 0（自起始年份起全面实施）',
        '52bf3b5f63'),
    'policy.purchase.min_floor_area_m2': (
        '文件未作规定（0）；改革前许多城市要求 50–90 平方米：假设',
        '533630be5a'),
    'policy.insurance.min_contribution_years': (
        '文件未作规定（0）',
        'c1098f2507'),
    'policy.residence_permit.min_residence_months': (
        '国家《居住证暂行条例》（2016）：半年',
        'a6558153b8'),
    'policy.residence_permit.services.employment': (
        '假设：文件要求接近均等的服务；通过七项居住证服务比例的平均值起作用（居住证可及性）',
        '2572e262d5'),
    'policy.residence_permit.services.education': (
        '通过七项居住证服务比例的平均值起作用（居住证可及性）',
        'fb91b1dab2'),
    'policy.residence_permit.services.health': (
        '通过七项居住证服务比例的平均值起作用（居住证可及性）',
        'fb91b1dab2'),
    'policy.residence_permit.services.culture': (
        '通过七项居住证服务比例的平均值起作用（居住证可及性）',
        'fb91b1dab2'),
    'policy.residence_permit.services.social_security': (
        '通过七项居住证服务比例的平均值起作用（居住证可及性）',
        'fb91b1dab2'),
    'policy.residence_permit.services.elderly_care': (
        '通过七项居住证服务比例的平均值起作用（居住证可及性）',
        'fb91b1dab2'),
    'policy.residence_permit.services.housing': (
        '通过七项居住证服务比例的平均值起作用（居住证可及性）',
        'fb91b1dab2'),
    'policy.schools.capacity_growth_per_year': (
        '文件未给出增长率：假设为 0（学位只随转移支付增加）',
        '5d0664858c'),
    'policy.transfers.yuan_per_settler': (
        '文件未给出金额：假设',
        '0bcfab788e'),
    'policy.transfers.yuan_per_permit': (
        '文件未给出金额：假设',
        '0bcfab788e'),
    'policy.transfers.pool_share': (
        '假设',
        '5776330484'),
    'policy.land.m2_per_settler': (
        '国家城市建设用地标准约每人 100 平方米（GB 50137-2011）'
        '：假设',
        'f91f0a70de'),
    'policy.public_housing.income_threshold': (
        '假设',
        '5776330484'),
    'policy.public_housing.stock_growth_per_year': (
        '假设',
        '5776330484'),
    'policy.statistics.survey_sample_rate': (
        '我国人口变动情况抽样调查每年约抽取 1‰',
        'b2ee2241bb'),
    'policy.publicity.reach_per_year': (
        '假设',
        '5776330484'),
}

PARAMETER_SOURCES: dict[str, tuple[str, str]] = {
    'behaviour.demography.mortality_multiplier': (
        'demographic_schedules.csv：联合国《世界人口展望 2024》中国分性别、'
        '分年龄中心死亡率 m(x)（2010 年起算用 2010–2015 年，'
        '2020 年起算用 2015–2020 年）；作用于铁岭本地的年龄结构',
        '8490612dc9'),
    'behaviour.demography.fertility_multiplier': (
        '水平：基年普查 0 岁人口与各年龄妇女人年之比（tieling_census_*.csv 男_0岁/女_0岁）'
        '；形状：2020 年普查按母亲年龄分的出生占比（demographic_schedules.csv）',
        'ce0e2c7393'),
    'behaviour.demography.fertility_trend_per_year': (
        '假设：辽宁出生率由 6.45‰（2019）降至 4.71‰（2021）'
        '和 4.06‰（2023）（figures.csv），2014–2023 年约每年 -3%',
        '10a4593043'),
    'behaviour.demography.sex_ratio_at_birth': (
        'demographic_schedules.csv：辽宁 2020 年普查出生性别比 107.15',
        '2f97b2907e'),
    'behaviour.demography.leave_home_rate': (
        '假设：三人及以上家庭中 20–39 岁成年子女每年另立门户的概率；按户均人数 2.90（2010）'
        '→ 2.37（2020）校准，figures.csv',
        '2204eb83ef'),
    'behaviour.demography.marriage_age': (
        'demographic_schedules.csv：中国 2020 年平均初婚年龄 28.67 岁；'
        '作为离家概率的中心年龄',
        '78c5d5d74e'),
    'behaviour.outside.out_rate_peak': (
        '假设：处于迁移高峰年龄的常住居民每年离开铁岭的概率；按 2010→2020 年常住人口减少 329,438 人（-12.1%，'
        'figures.csv）校准',
        '86b324098e'),
    'behaviour.outside.peak_age': (
        'Rogers 与 Castro（1981）基本迁移模型，mu2=20（demographic_schedules.csv）'
        '，移至我国外出农民工平均年龄（figures.csv：2019 年外出农民工平均 36 岁）',
        'e971eb78a0'),
    'behaviour.outside.age_spread': (
        '假设：劳动力迁移高峰的宽度，Rogers-Castro 模型 alpha2=0.1 约为 10 年',
        '7347a0bad8'),
    'behaviour.outside.college_multiplier': (
        '假设：受过高等教育的东北人更常外迁（辽宁每十万人大学文化程度人数由 11,965 增至 18,216，'
        '而铁岭仍为 9,606，figures.csv）',
        '48e79f3dcf'),
    'behaviour.outside.rural_multiplier': (
        '假设：外出农民工大多来自农村居民（figures.csv：2020 年 2.856 亿农民工中外出 1.696 亿）',
        '391985bf2a'),
    'behaviour.outside.family_share': (
        '假设：举家迁往铁岭以外的迁移所占比例（举家迁徙，第二条）',
        '40e2a60c57'),
    'behaviour.outside.return_rate': (
        '假设：在铁岭以外居住的户籍人口每年返回的概率；经校准',
        'cf8d2e1809'),
    'behaviour.outside.return_age_multiplier': (
        '假设：年长的农民工返乡（figures.csv：2019 年本地农民工平均 45.5 岁，'
        '外出农民工 36 岁）',
        '2845262e02'),
    'behaviour.outside.wage_elasticity': (
        '假设：外迁随外地工资与本县城镇工资之比的本参数次方上升，以基年全市平均为 1',
        '304c228973'),
    'behaviour.outside.return_to_town_share': (
        '假设：返乡的农村户籍家庭在本县城镇而非村里定居的比例',
        'c893de7e69'),
    'behaviour.outside.in_rate': (
        '假设：每名常住居民对应的户籍在铁岭以外的迁入人数；2020 年此类常住人口约 155,000 人（普查户口登记地在外：'
        '省外 44,220 人，加上本省其他县 222,207 人的一部分）',
        '659a17ad9a'),
    'behaviour.outside.in_leave_rate': (
        '假设：户籍在铁岭以外的常住居民每年再次离开的概率',
        'bb527d635b'),
    'behaviour.outside.household_single_share': (
        '假设：在外居住的铁岭人（基年）和户籍在外的迁入者的家庭为单身、夫妻和夫妻带一个孩子三类；'
        '铁岭没有其家庭规模的调查（data/README.md）；此为单身所占比例',
        '4407f0f2af'),
    'behaviour.outside.household_couple_share': (
        '假设：同上，夫妻所占比例；其余为夫妻带一个孩子',
        '04c983be59'),
    'behaviour.migration.reconsider_rate': (
        '假设：每年考虑迁移的劳动年龄家庭所占比例',
        'a4f120a131'),
    'behaviour.migration.beta_income': (
        '假设；收入差距是乡城迁移的首要动因（Hao 等 2020，figures.csv）',
        '21b3059417'),
    'behaviour.migration.beta_housing': (
        '假设：住房成本项',
        '1dadfcb485'),
    'behaviour.migration.beta_services': (
        '假设：以本人身份可获得的公共服务的价值',
        'f22d7f0ffe'),
    'behaviour.migration.beta_congestion': (
        '假设：学校与医疗机构的软性拥挤',
        'b4068a4a93'),
    'behaviour.migration.beta_family': (
        '假设：家庭纽带使人留在家人和父母所在之处',
        '3a8eba84a6'),
    'behaviour.migration.moving_cost': (
        '假设；2000–2015 年国内迁移成本下降 45%（Hao 等 2020，'
        'figures.csv）',
        '6e257a985e'),
    'behaviour.migration.nearby_preference': (
        '假设：偏好本县县城而非更远的城镇（就地就近，第一条）',
        'e435366fd9'),
    'behaviour.migration.beta_land': (
        '假设：离开村庄所放弃的农业收入；Chen 与 Fan（2016，figures.csv）'
        '发现农村土地权益抑制了对城镇户口的需求',
        'c8ced7915f'),
    'behaviour.migration.new_district_pull': (
        '假设：新区凡河新城所在的铁岭县城在多大程度上属于中心城区（作为迁往中心城区的目的地、'
        '享有中心城区工资溢价、其城镇居民已视为居住在中心城区）；1 = 与中心城区相同，'
        '因市政府已迁至此处（见 data/README.md 的说明）；0 = 中心城区仅为银州区和清河区',
        '5b44ead777'),
    'behaviour.work.town_wage': (
        'figures.csv：2020 年全国本地农民工月均收入 3,606 元（未找到铁岭工资数据）',
        '8ff12c2ed0'),
    'behaviour.work.central_wage_premium': (
        '假设：中心城区工资高于各县城',
        '752459a631'),
    'behaviour.work.outside_wage': (
        'figures.csv：2020 年全国外出农民工月均收入 4,549 元',
        'ca67d84d87'),
    'behaviour.work.farm_income': (
        '假设：未找到铁岭农村收入数据；低于本地农民工工资，因为收入差距推动迁移',
        '29b9ff9b29'),
    'behaviour.work.wage_growth': (
        'figures.csv：农民工月均收入 3,485 元（2017）→ 4,072 元（2020）'
        '，年增 5.3%；假设东北增长较慢',
        'ae943c051e'),
    'behaviour.work.town_job_growth': (
        '假设：铁岭城镇劳动力需求缓慢收缩（2010–2020 年常住人口 -12%）',
        '195206a11b'),
    'behaviour.work.flexible_share': (
        '假设：城镇就业者中灵活就业的比例（无铁岭数据）',
        '4f602ec53f'),
    'behaviour.work.job_entry_rate': (
        '假设：无工作的青年（18–30 岁）每年在居住地就业的概率',
        '08bc71cbeb'),
    'behaviour.work.flexible_insurance_uptake': (
        '假设：灵活就业人员每年开始缴纳职工医疗或养老保险的概率',
        'b64dc0a800'),
    'behaviour.work.first_scheme_medical_share': (
        '假设：开始缴费的灵活就业人员只选医疗保险的比例（医疗保险更常是首选）'
        '；只选养老保险：first_scheme_pension_share；'
        '其余两者都缴',
        'f69ec8dd88'),
    'behaviour.work.first_scheme_pension_share': (
        '假设：同 first_scheme_medical_share，只选养老保险的比例',
        '9602aed1be'),
    'behaviour.work.urban_pension_share': (
        '假设：城镇职工养老金约为城镇工资的一半（无铁岭养老金数据）',
        'cea76cddea'),
    'behaviour.work.rural_pension_share': (
        '假设：农村（城乡居民）养老金只占城镇工资的一小部分（无铁岭养老金数据）',
        '3541d6ebef'),
    'behaviour.education.senior_school_rate': (
        '假设：15 岁人口升入高中阶段的比例（无铁岭数据；2020 年普查显示约三分之一成年人具有高中文化程度，'
        '年轻人更多）',
        '8b61767bed'),
    'behaviour.education.college_entry_rate': (
        'demographic_schedules.csv：我国高等教育毛入学率 54.4%（2020）'
        '、26.5%（2010）',
        'f3df98def8'),
    'behaviour.education.college_in_tieling_share': (
        '假设：在铁岭高校就读的学生比例（高校位于银州区，迁校后大多在铁岭县：'
        '见 college_host_share；见 data/README.md 的说明）',
        '483f4cf4b1'),
    'behaviour.education.non_regular_share': (
        '假设：成人高校、自学考试、远程和开放教育学历所占比例',
        '3894a03981'),
    'behaviour.education.student_hukou_move_share': (
        '假设：规则允许时（第四条），铁岭农村户籍学生将户口迁入学校集体户的比例；'
        '无公开统计',
        '709c1ca494'),
    'behaviour.education.graduate_return_rate': (
        '假设：毕业生回铁岭就业的比例',
        '062266e04b'),
    'behaviour.education.college_intake': (
        'figures.csv：铁岭 2022 年普通高校招生 7,729 人；'
        '按 3–4 年学制，满额招生使在校生约 27,000 人，实际为 28,896 人（普通高校在校生，'
        '2022）。模型按 college_outside_share 从铁岭以外招收其中一部分；'
        '铁岭本地学生来自本地各年龄组',
        'ae3787729f'),
    'behaviour.education.college_host_share': (
        '假设：迁校完成后在铁岭县（新区；data/README.md：高校已迁至此）'
        '就读的学生比例；其余学生，以及迁校前的全部学生，在老城区就读（银州区，'
        '2010 年普查其 20–24 岁人口占比 7.3%，为全市最高）。'
        '在铁岭高校就读的本地学生按同样比例分布',
        '52def1c0b7'),
    'behaviour.education.college_outside_share': (
        '假设：铁岭以外生源所占比例：至少为辽宁省外生源比例 30.3%（2009，'
        'demographic_schedules.csv），加上辽宁其他城市的学生；'
        '在本地高校就读的铁岭学生（其入学者中的 college_in_tieling_share）'
        '在 2010 年起算的运行中 2014 年后为 4,500–5,700 人，'
        '约为在校生 28,896 人（figures.csv，2022）的五分之一',
        '957dac85e1'),
    'behaviour.education.college_move_year': (
        '假设：高校于此年的次年开始迁往新区；2010 年普查中铁岭县 15–24 岁人口没有超额（20–24 岁占比 5.5%；'
        '昌图 5.3%，西丰 5.9%），2020 年普查则有（2010 年 5–9 岁的队列到 2020 年增长为 1.33 倍，'
        '其他农业县为 0.63–0.80 倍）',
        '541a29c566'),
    'behaviour.education.college_move_years': (
        '假设：高校迁往新区直至完成所需的年数（校区分批迁移）',
        '79cd092868'),
    'behaviour.settling.asc': (
        '假设：对办理手续的惰性；Chen 与 Fan（2016）发现对城镇户口的需求较弱',
        '6443f7feb2'),
    'behaviour.settling.beta_services': (
        '假设：城镇户口在现有身份之外增加的服务价值',
        '7ed52b0abf'),
    'behaviour.settling.beta_land_loss': (
        '假设：放弃农村土地承包权的代价（Chen 与 Fan 2016，figures.csv）',
        'db60667e31'),
    'behaviour.settling.beta_children': (
        '假设：有学龄子女的家庭更看重城镇户口（入学）',
        '4e954573ad'),
    'behaviour.settling.outside_land_share': (
        '假设：户籍在铁岭以外的人在铁岭落户时要放弃在别处的户籍，多数为农村户籍（figures.csv：'
        '我国流动人口多为农民工）；对这部分人，其分量与土地承包权相同（beta_land_loss）'
        '。其户籍地的规则不是铁岭的杠杆。由 2017–2019 年户籍人口序列的拟合识别（docs/calibration.md）',
        'e2ad9eac4c'),
    'behaviour.settling.initial_awareness': (
        '假设：起始时知道各条落户途径的人所占比例',
        'dd2f04cc0d'),
    'behaviour.settling.word_of_mouth': (
        '假设：每年从知情的家庭成员处得知一条落户途径的概率',
        '1c23bf8df9'),
    'behaviour.settling.permit_uptake': (
        '假设：符合条件的非户籍城镇居民每年申领居住证的概率，乘以其服务价值',
        'b78dd2c3f7'),
    'behaviour.settling.urban_to_rural_wish': (
        '假设：居住在村里的城镇户籍居民每年希望把户口迁回农村的比例（第四条允许；'
        '无此类迁移的公开统计）',
        '487119bdf8'),
    'behaviour.settling.years_in_town_unregistered': (
        '假设：基年时无本地城镇户口的城镇居民平均已在此居住的年数（指数分布）'
        '；我国农民工平均 41 岁、外出务工多年（figures.csv），'
        '但铁岭没有居住年限的调查',
        '3cd08451f5'),
    'behaviour.housing.price_central': (
        '假设：未找到铁岭新房价格（data/README.md）',
        '1af3bdf2bf'),
    'behaviour.housing.price_county_town': (
        '假设，同 price_central',
        'f49fb34029'),
    'behaviour.housing.home_size_m2': (
        '2020 年普查人均住房面积 32.18 平方米 × 户均人数 2.37（tieling_census_2020_counties.csv）',
        '8a575e9e84'),
    'behaviour.housing.down_payment': (
        '假设：首付 30%',
        '34545e4b94'),
    'behaviour.housing.savings_rate': (
        '假设：家庭储蓄率',
        '3b9e3336a5'),
    'behaviour.housing.purchase_propensity': (
        '假设：付得起首付的租房家庭每年购房的概率',
        'c78c906401'),
    'behaviour.housing.rent_share_of_income': (
        '假设：市场租金占城镇收入的比例',
        '2f21cedba0'),
    'behaviour.housing.public_rental_initial_share': (
        '假设：公租房初始存量；2020 年普查长表住房来源_其他 3,153 户／86,399 户（3.6%）'
        '为其上限',
        'aa4bd7073c'),
    'behaviour.housing.new_employee_years': (
        '假设：谁算“新就业”（第八条公租房保障对象）：毕业不超过此年数',
        '7ca4522206'),
    'behaviour.services.unregistered_access': (
        '假设：既无本地户口又无居住证时可获得的城镇服务，相对于户籍人口',
        'c58153bc14'),
    'behaviour.services.village_access': (
        '假设：对户籍人口而言，农村公共服务相对于城镇服务的价值',
        'c9258a35be'),
    'behaviour.services.congestion_start': (
        '假设：服务质量开始下降时的利用率',
        '36e402b9a5'),
    'behaviour.services.school_headroom': (
        '假设：起始时每名 6–14 岁常住儿童对应的学位数（普查年龄组）',
        'a3aa53c33c'),
    'behaviour.services.clinic_headroom': (
        '假设：起始时每名常住居民对应的医疗服务能力',
        '46e9701d63'),
    'behaviour.services.investment_lag_years': (
        '假设：从转移支付到形成可用能力的年数',
        '38f9f05757'),
    'behaviour.services.transfer_pool_yuan': (
        '假设：市对各县每年的一般转移支付资金池（不含与人口挂钩的资金，policy.transfers）'
        '；其中 `policy.transfers.pool_share` 按落户人数和新发居住证分配，'
        '其余按常住人口分配',
        '2236d41646'),
    'behaviour.services.spend_share_schools': (
        '假设：县里把转移支付首先用于学位（第九条列出教育、医疗和住房）；扣除医疗后的其余收入用于公租房',
        '3fa5e16ffd'),
    'behaviour.services.spend_share_clinics': (
        '假设：同 spend_share_schools，用于医疗服务能力的比例',
        '57be4015f7'),
    'behaviour.registry.settle_out_rate': (
        '假设：在铁岭以外居住至少 `years_to_settle` 年的户籍家庭每年把户口迁往居住地的概率，'
        '以 2018 年起目的地的开放程度为准；按 2017–2019 年户籍人口校准',
        '3ce7a29d43'),
    'behaviour.registry.openness_before_2018': (
        '假设：各目的地在 2010 年代后期放开落户（国发〔2014〕25 号放宽中等城市；'
        '铁岭迁出者多去的沈阳 2010–2016 年每年迁入户籍约 58,000 人，'
        '2018 年户籍人口增长 1.2%（≈ 88,000 人），为二十年来最高，'
        '截至 2020 年 4 月的一年为 8.98万；2019 年国家意见全面取消城区常住人口 300 万以下城市的落户限制；'
        'figures.csv）：2018 年以前的概率为之后的此比例',
        '9e2aa7971c'),
    'behaviour.registry.years_to_settle': (
        '假设：各目的地落户前要求若干年居住或社保（沈阳的积分制；大连到 2022 年 6 月才取消全部条件，'
        'figures.csv）',
        'fd3cbc0314'),
    'behaviour.registry.family_multiplier': (
        '假设：带着学龄子女的家庭需要在居住地有本地户口才能入学（与第八条随迁子女的动机相同）',
        '117a54eb83'),
    'behaviour.registry.land_loss_multiplier': (
        '假设：当落户须交回承包地时（`policy.rural_rights.kept_after_settling` 为否）'
        '，持有农村土地承包权的家庭把户口迁出铁岭的频率按此倍数降低（《农村土地承包法》在 2018 年修正前要求迁入设区的市的家庭交回承包地）',
        'e484fe90ae'),
    'behaviour.registry.marriage_out_rate': (
        '假设：在铁岭以外居住的 20–34 岁未婚户籍人口每年在当地结婚并把户口迁到配偶所在地的概率（2020 年我国平均初婚年龄 28–29 岁，'
        'demographic_schedules.csv；约一半人在这 15 年内结婚，'
        '其中一半迁移户口）',
        'e3632e9618'),
    'behaviour.registry.conversion_rate': (
        '假设：农村户籍家庭每年不经迁移而转为城镇户籍的比例（被城镇吸纳村庄的村改居、'
        '征地）；辽宁于 2009 年取消农业与非农业户口之分（辽政办发〔2009〕30号，'
        'figures.csv），城镇户籍随登记地址而定；按 2018 年户籍人口城镇比重 43.4% 校准（figures.csv）',
        'bb8607833f'),
}
