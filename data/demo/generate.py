#!/usr/bin/env python3
"""Generate the Tributary demo dataset: people.jsonl and companies.jsonl beside this script.

Everything in the output is synthetic. The generator uses only the standard library, a fixed seed
and a fixed reference date, so running it again produces byte-identical files:

    python3 data/demo/generate.py

Field names are Tributary channel names (DESIGN.md section 5). Keys whose value is unknown are left out
of a record rather than written as null.
"""

import json
import os
import random
import unicodedata
from datetime import date, timedelta

SEED = 20261123
REFERENCE_DATE = date(2026, 11, 1)  # "today" for every date in the dataset
WINDOW_START = date(2025, 6, 1)  # signals are dated within WINDOW_START..REFERENCE_DATE
WINDOW_DAYS = (REFERENCE_DATE - WINDOW_START).days
COMPANY_COUNT = 300

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------------------------------
# Geography: countries, cities and phone number ranges that libphonenumber accepts as valid.
# Each range is (prefix after the country code, number of random digits, allowed first random digits).
# --------------------------------------------------------------------------------------------------

COUNTRIES = {
    "US": {
        "name": "United States", "cc": "1", "weight": 50, "tlds": [".com"],
        "cities": [
            ("San Francisco", ["415", "628"]), ("New York", ["212", "646", "917"]), ("Austin", ["512", "737"]),
            ("Boston", ["617", "857"]), ("Seattle", ["206"]), ("Chicago", ["312", "773"]),
            ("Denver", ["303", "720"]), ("Atlanta", ["404", "470"]), ("Los Angeles", ["213", "310", "323"]),
            ("Miami", ["305", "786"]), ("Raleigh", ["919"]), ("Salt Lake City", ["801"]),
        ],
    },
    "GB": {
        "name": "United Kingdom", "cc": "44", "weight": 14, "tlds": [".com", ".co.uk"],
        "cities": [("London", ["20"]), ("Manchester", ["161"]), ("Edinburgh", ["131"]), ("Birmingham", ["121"])],
    },
    "DE": {
        "name": "Germany", "cc": "49", "weight": 9, "tlds": [".com", ".de"],
        "cities": [("Berlin", ["30"]), ("Munich", ["89"]), ("Hamburg", ["40"])],
    },
    "FR": {
        "name": "France", "cc": "33", "weight": 9, "tlds": [".com", ".fr"],
        "cities": [("Paris", ["1"]), ("Lyon", ["4"]), ("Bordeaux", ["5"])],
    },
    "CA": {
        "name": "Canada", "cc": "1", "weight": 5, "tlds": [".com", ".ca"],
        "cities": [("Toronto", ["416", "647"]), ("Vancouver", ["604"]), ("Montreal", ["514"])],
    },
    "NL": {
        "name": "Netherlands", "cc": "31", "weight": 4, "tlds": [".com", ".nl"],
        "cities": [("Amsterdam", ["20"]), ("Rotterdam", ["10"]), ("Utrecht", ["30"])],
    },
    "IE": {
        "name": "Ireland", "cc": "353", "weight": 3, "tlds": [".com", ".ie"],
        "cities": [("Dublin", ["1"]), ("Cork", ["21"])],
    },
    "ES": {
        "name": "Spain", "cc": "34", "weight": 3, "tlds": [".com", ".es"],
        "cities": [("Madrid", ["91"]), ("Barcelona", ["93"])],
    },
    "SE": {
        "name": "Sweden", "cc": "46", "weight": 2, "tlds": [".com", ".se"],
        "cities": [("Stockholm", ["8"]), ("Gothenburg", ["31"])],
    },
    "AU": {
        "name": "Australia", "cc": "61", "weight": 2, "tlds": [".com", ".com.au"],
        "cities": [("Sydney", ["2"]), ("Melbourne", ["3"])],
    },
}
COUNTRY_CODES = list(COUNTRIES.keys())  # insertion order, deterministic


def landline_digits(country, area, rng):
    """National significant number of a geographic line in `area` (valid for libphonenumber)."""
    if country in ("US", "CA"):
        while True:
            exchange = str(rng.randint(200, 999))
            if exchange[1:] == "11" or exchange == "555" or exchange[0] == "9" and country == "CA":
                continue
            return area + exchange + "%04d" % rng.randint(0, 9999)
    if country == "GB":
        if area == "20":  # London: 020 3xxx / 7xxx / 8xxx xxxx
            return "20" + rng.choice("378") + "%07d" % rng.randint(0, 9999999)
        return area + str(rng.randint(2, 7)) + "%06d" % rng.randint(0, 999999)  # 0121 / 0131 / 0161
    if country == "DE":  # Berlin 030, Munich 089, Hamburg 040 + 8 digits
        return area + str(rng.randint(2, 9)) + "%07d" % rng.randint(0, 9999999)
    if country == "FR":  # 01 / 04 / 05 + 8 digits
        return area + str(rng.randint(2, 8)) + "%07d" % rng.randint(0, 9999999)
    if country == "NL":  # 020 / 010 / 030 + 7 digits
        return area + str(rng.randint(2, 9)) + "%06d" % rng.randint(0, 999999)
    if country == "IE":
        if area == "1":  # Dublin 01 + 7 digits
            return "1" + str(rng.randint(2, 9)) + "%06d" % rng.randint(0, 999999)
        return area + str(rng.randint(2, 9)) + "%06d" % rng.randint(0, 999999)  # Cork 021 + 7 digits
    if country == "ES":  # 91 / 93 + 7 digits
        return area + str(rng.randint(2, 8)) + "%06d" % rng.randint(0, 999999)
    if country == "SE":
        if area == "8":  # Stockholm 08 + 8 digits
            return "8" + str(rng.randint(5, 7)) + "%07d" % rng.randint(0, 9999999)
        return area + str(rng.randint(3, 7)) + "%06d" % rng.randint(0, 999999)  # Gothenburg 031 + 7
    if country == "AU":  # Sydney 02 9xxx / 8xxx, Melbourne 03 9xxx / 8xxx
        return area + rng.choice("89") + "%07d" % rng.randint(0, 9999999)
    raise ValueError(country)


GB_MOBILE_BLOCKS = ["740", "741", "742", "743", "744", "746", "747", "748", "749", "751", "753", "754", "755",
                    "756", "757", "758", "759", "771", "772", "773", "774", "775", "776", "777", "780", "781",
                    "784", "785", "786", "787", "788", "789", "790", "794", "795", "796", "797", "798", "799"]
FR_MOBILE_BLOCKS = ["60", "61", "62", "64", "65", "66", "67", "68", "73", "74", "75", "76", "77", "78"]


def mobile_digits(country, city_areas, rng):
    """National significant number of a mobile line (North America has no separate mobile ranges)."""
    if country in ("US", "CA"):
        return landline_digits(country, rng.choice(city_areas), rng)
    if country == "GB":  # 07xxx blocks of Great Britain (not Jersey, Guernsey or the Isle of Man)
        return rng.choice(GB_MOBILE_BLOCKS) + "%07d" % rng.randint(0, 9999999)
    if country == "DE":
        return "15" + rng.choice("12") + "%08d" % rng.randint(0, 99999999)
    if country == "FR":
        return rng.choice(FR_MOBILE_BLOCKS) + "%07d" % rng.randint(0, 9999999)
    if country == "NL":
        return "6" + str(rng.randint(1, 5)) + "%07d" % rng.randint(0, 9999999)
    if country == "IE":
        return "8" + rng.choice("567") + "%07d" % rng.randint(2000000, 9999999)
    if country == "ES":
        return "6" + "%08d" % rng.randint(0, 99999999)
    if country == "SE":
        return "7" + rng.choice("0236") + "%07d" % rng.randint(0, 9999999)
    if country == "AU":
        return "4" + rng.choice("0123") + "%07d" % rng.randint(0, 9999999)
    raise ValueError(country)


# --------------------------------------------------------------------------------------------------
# Industries
# --------------------------------------------------------------------------------------------------

INDUSTRIES = [
    # name, weight, name words, revenue per employee (k USD range), product phrases, customers, extra titles
    ("Software", 16, ["Software", "Labs", "Cloud", "Systems", "Analytics"], (120, 320),
     ["a workflow automation platform", "an observability platform", "a contract management tool",
      "a product analytics suite", "a developer platform for internal tools", "a scheduling and dispatch app"],
     ["mid-market companies", "engineering teams", "operations teams", "finance teams", "enterprises"],
     {"senior": ["Senior Platform Engineer"], "entry": ["Solutions Engineer"]}),
    ("Robotics", 5, ["Robotics", "Automation", "Machines"], (90, 250),
     ["autonomous mobile robots", "robotic picking cells", "inspection drones", "collaborative robot arms"],
     ["warehouses", "factory floors", "agricultural producers", "utilities"],
     {"senior": ["Senior Controls Engineer", "Senior Robotics Engineer"], "entry": ["Robotics Engineer", "Mechanical Engineer"]}),
    ("Fintech", 8, ["Pay", "Capital", "Finance", "Ledger"], (150, 400),
     ["an expense management platform", "a payments API", "a treasury dashboard", "embedded lending tools"],
     ["small businesses", "online marketplaces", "CFOs", "accounting firms"],
     {"senior": ["Senior Risk Analyst"], "entry": ["Compliance Analyst"]}),
    ("Healthcare", 7, ["Health", "Care", "Medical", "Clinics"], (80, 200),
     ["a patient intake platform", "remote monitoring services", "a clinical scheduling system", "virtual physiotherapy"],
     ["clinics", "hospital networks", "employers", "home-care providers"],
     {"senior": ["Senior Clinical Informatics Specialist"], "entry": ["Care Coordinator"]}),
    ("Logistics", 7, ["Logistics", "Freight", "Shipping", "Supply"], (90, 260),
     ["freight visibility software", "last-mile delivery services", "a cross-border shipping network", "warehouse management software"],
     ["retailers", "manufacturers", "3PLs", "e-commerce brands"],
     {"senior": ["Senior Supply Chain Analyst"], "entry": ["Logistics Coordinator"]}),
    ("E-commerce", 6, ["Commerce", "Goods", "Market", "Shop"], (150, 450),
     ["a direct-to-consumer home goods brand", "a subscription marketplace", "storefront personalisation tools", "a returns management service"],
     ["online shoppers", "independent brands", "retail chains"],
     {"senior": ["Senior Merchandising Manager"], "entry": ["E-commerce Coordinator"]}),
    ("Cybersecurity", 6, ["Security", "Shield", "Defense"], (150, 350),
     ["identity threat detection", "a cloud security posture platform", "managed detection and response", "phishing simulation training"],
     ["security teams", "regulated industries", "mid-market IT departments"],
     {"senior": ["Senior Security Engineer", "Senior Threat Researcher"], "entry": ["Security Analyst"]}),
    ("Marketing Services", 6, ["Media", "Digital", "Marketing", "Creative"], (80, 180),
     ["performance marketing campaigns", "B2B content programmes", "paid social management", "brand and web design"],
     ["B2B software companies", "consumer brands", "healthcare marketers"],
     {"senior": ["Senior Account Director"], "entry": ["Campaign Coordinator"]}),
    ("Manufacturing", 6, ["Industries", "Manufacturing", "Components", "Fabrication"], (120, 300),
     ["precision machined components", "custom sheet-metal assemblies", "injection-moulded parts", "industrial sensors"],
     ["aerospace suppliers", "automotive OEMs", "medical device makers"],
     {"senior": ["Senior Process Engineer", "Senior Quality Engineer"], "entry": ["Manufacturing Engineer"]}),
    ("Energy", 5, ["Energy", "Power", "Solar", "Renewables"], (200, 600),
     ["commercial solar installations", "battery storage systems", "EV charging networks", "energy management software"],
     ["commercial landlords", "municipalities", "fleet operators", "utilities"],
     {"senior": ["Senior Electrical Engineer"], "entry": ["Field Technician"]}),
    ("Education", 5, ["Learning", "Education", "Academy"], (70, 160),
     ["an online coding bootcamp", "a tutoring marketplace", "a learning management system", "language courses for professionals"],
     ["universities", "K-12 schools", "corporate L&D teams", "adult learners"],
     {"senior": ["Senior Instructional Designer"], "entry": ["Curriculum Developer"]}),
    ("Biotechnology", 5, ["Bio", "Therapeutics", "Biosciences", "Genomics"], (100, 300),
     ["cell therapies for solid tumours", "a protein design platform", "rapid diagnostic assays", "microbiome therapeutics"],
     ["patients with rare diseases", "pharma partners", "research labs"],
     {"senior": ["Senior Scientist"], "entry": ["Research Associate"]}),
    ("Real Estate", 4, ["Properties", "Realty", "Homes"], (150, 400),
     ["flexible office space", "build-to-rent housing", "property management software", "a commercial leasing marketplace"],
     ["growing companies", "renters", "landlords"],
     {"senior": ["Senior Property Manager"], "entry": ["Leasing Associate"]}),
    ("Consulting", 4, ["Consulting", "Advisory", "Partners"], (120, 260),
     ["data strategy consulting", "revenue operations consulting", "ERP implementations", "cloud migration services"],
     ["private equity portfolio companies", "mid-market manufacturers", "public sector agencies"],
     {"senior": ["Senior Consultant"], "entry": ["Business Analyst"]}),
    ("Insurance", 3, ["Insurance", "Assurance", "Cover"], (200, 500),
     ["embedded insurance products", "cyber insurance", "usage-based auto insurance", "pet insurance"],
     ["small businesses", "gig workers", "online retailers"],
     {"senior": ["Senior Underwriter", "Senior Actuarial Analyst"], "entry": ["Claims Specialist"]}),
    ("Food & Beverage", 3, ["Foods", "Kitchen", "Provisions", "Brewing"], (100, 300),
     ["plant-based snacks", "craft beverages", "ready-to-cook meal kits", "specialty coffee"],
     ["grocery chains", "cafés", "home cooks"],
     {"senior": ["Senior Food Scientist"], "entry": ["Quality Technician"]}),
    ("HR Tech", 4, ["People", "Talent", "Workforce"], (120, 280),
     ["a recruiting CRM", "payroll and benefits software", "an employee engagement platform", "skills-based hiring assessments"],
     ["HR teams", "staffing agencies", "fast-growing startups"],
     {"senior": ["Senior People Scientist"], "entry": ["Implementation Specialist"]}),
    ("Telecommunications", 3, ["Networks", "Telecom", "Connect"], (200, 450),
     ["private 5G networks", "business fibre connectivity", "a cloud contact-centre platform", "IoT connectivity"],
     ["enterprises", "ports and campuses", "contact centres"],
     {"senior": ["Senior Network Engineer"], "entry": ["NOC Engineer"]}),
    ("Travel", 2, ["Travel", "Journeys", "Trips"], (150, 350),
     ["corporate travel management", "a boutique hotel booking platform", "group trip planning software"],
     ["business travellers", "event organisers", "independent hotels"],
     {"senior": ["Senior Partnerships Manager"], "entry": ["Travel Consultant"]}),
]

TECH_COMMON = ["Google Workspace", "Microsoft 365", "Slack", "Zoom", "HubSpot", "Salesforce", "Stripe", "Zendesk",
               "Intercom", "Jira", "Confluence", "Notion", "Okta", "Segment", "Google Analytics", "Cloudflare"]
TECH_ENGINEERING = ["AWS", "Google Cloud", "Azure", "Kubernetes", "Docker", "Terraform", "PostgreSQL", "MySQL",
                    "MongoDB", "Redis", "Kafka", "React", "TypeScript", "Node.js", "Python", "Go", "Java", ".NET",
                    "Ruby on Rails", "Snowflake", "dbt", "Datadog", "Grafana", "GitHub", "GitLab", "Sentry"]
TECH_BY_INDUSTRY = {
    "Robotics": ["ROS 2", "C++", "NVIDIA Jetson", "MATLAB"],
    "E-commerce": ["Shopify", "Klaviyo", "Algolia"],
    "Manufacturing": ["SAP", "SolidWorks", "Autodesk Fusion"],
    "Marketing Services": ["Figma", "Adobe Creative Cloud", "Webflow", "Semrush"],
    "Biotechnology": ["Benchling", "R", "AWS"],
    "Healthcare": ["Epic", "HL7 FHIR", "Twilio"],
    "Telecommunications": ["Twilio", "Cisco", "Juniper"],
    "Consulting": ["Power BI", "Tableau", "SAP"],
    "Energy": ["SCADA", "Python", "Power BI"],
}

REVENUE_BANDS = [(1_000_000, "<$1M"), (10_000_000, "$1M-$10M"), (50_000_000, "$10M-$50M"),
                 (100_000_000, "$50M-$100M"), (500_000_000, "$100M-$500M"), (1_000_000_000, "$500M-$1B")]

# stage, weight, employees range, founded range, last round amount range (USD millions), prior raised multiple
STAGES = [
    ("Pre-Seed", 5, (2, 15), (2023, 2026), (0.25, 1.5), (0.0, 0.3)),
    ("Seed", 15, (5, 45), (2019, 2025), (1.0, 6.0), (0.1, 0.5)),
    ("Series A", 18, (20, 140), (2016, 2024), (6.0, 28.0), (0.2, 0.6)),
    ("Series B", 14, (60, 420), (2012, 2022), (20.0, 80.0), (0.4, 0.9)),
    ("Series C", 8, (150, 1200), (2009, 2020), (50.0, 160.0), (0.6, 1.2)),
    ("Series D", 4, (400, 3000), (2006, 2018), (100.0, 300.0), (0.8, 1.5)),
    ("Private Equity", 6, (200, 5000), (1985, 2012), (40.0, 400.0), (0.0, 0.5)),
    ("Public", 6, (1000, 40000), (1975, 2015), (150.0, 900.0), (0.3, 1.0)),
    ("Bootstrapped", 24, (3, 300), (1992, 2024), None, None),
]

# --------------------------------------------------------------------------------------------------
# Company names. Invented compounds only; a short deny list keeps out compounds that read as
# well-known brands.
# --------------------------------------------------------------------------------------------------

NAME_PREFIXES = ["West", "North", "South", "East", "Bright", "Silver", "Iron", "Blue", "Stone", "Oak", "Cedar",
                 "Maple", "Harbor", "River", "Summit", "Copper", "Amber", "Granite", "Falcon", "Kestrel", "Heron",
                 "Lumen", "Nova", "Quill", "Tide", "Ever", "Clear", "True", "Swift", "High", "Far", "Glen", "Fern",
                 "Ash", "Elm", "Pine", "Birch", "Hazel", "Wren", "Lark", "Marl", "Cobalt", "Flint", "Slate", "Rowan",
                 "Alder", "Thorn", "Brae", "Corr", "Dun", "Keel", "Moss", "Peak", "Vale"]
NAME_SUFFIXES = ["mark", "field", "gate", "wood", "well", "ridge", "bridge", "haven", "ford", "stone", "line",
                 "path", "crest", "brook", "point", "forge", "light", "wave", "hollow", "mere", "shaw", "by",
                 "wick", "ley"]
NAME_DENY = {"Westfield", "Northwell", "Redwood", "Highbridge", "Ironwood", "Stonebridge", "Silverline",
             "Northgate", "Southwark", "Eastgate", "Ashford", "Ashley", "Oakley", "Stoneley", "Clearwater",
             "Brightwave", "Everlight", "Highfield", "Pinewood", "Elmwood", "Oakwood", "Glenwood", "Westwood",
             "Northwood", "Eastwood", "Southwood", "Heathrow", "Ashby", "Westby", "Fernley", "Bromley", "Flintstone",
             "Bluestone", "Everstone", "Hazelwood", "Birchwood", "Maplewood", "Cedarwood", "Swiftline", "Truepoint",
             "Westmark", "Tidewell", "Stonehaven", "Pinebrook", "Summitpoint", "Northpoint", "Thornbury",
             "Southgate", "Highgate", "Woodley", "Moorgate", "Ashmere", "Windermere", "Keelby", "Slateford"}

# --------------------------------------------------------------------------------------------------
# People: names by country, departments and titles
# --------------------------------------------------------------------------------------------------

NAMES = {
    "anglo": (
        ["James", "Oliver", "Liam", "Noah", "Ethan", "Mason", "Lucas", "Henry", "Samuel", "Daniel", "Matthew",
         "Ryan", "Nathan", "Owen", "Caleb", "Isaac", "Gavin", "Tyler", "Connor", "Aaron", "Adam", "Ben", "Chris",
         "David", "Eric", "Greg", "Jack", "Kevin", "Mark", "Paul", "Peter", "Scott", "Tom", "Will", "Emma",
         "Olivia", "Ava", "Sophia", "Isabella", "Mia", "Amelia", "Harper", "Ella", "Grace", "Lily", "Hannah",
         "Abigail", "Emily", "Madison", "Natalie", "Rachel", "Sarah", "Laura", "Megan", "Jessica", "Katie",
         "Lauren", "Rebecca", "Claire", "Alice", "Lucy", "Ruby", "Zoe", "Holly", "Erin", "Morgan", "Taylor",
         "Casey", "Riley", "Avery", "Quinn", "Jamie", "Alex", "Sam", "Charlie", "Drew", "Rowan"],
        ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Thomas",
         "Taylor", "Moore", "Jackson", "Martin", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson",
         "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker", "Nelson",
         "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards",
         "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Peterson", "Reed",
         "Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox", "Richardson", "Wood", "Watson", "Brooks", "Bennett",
         "Gray", "Hughes", "Price", "Sanders", "Myers", "Long", "Ross", "Foster", "Powell", "Jenkins", "Perry",
         "Russell", "Sullivan", "Fisher", "Hayes", "Graham", "Marshall", "Owens", "Harrison", "Gibson", "Ellis",
         "Walsh", "Byrne", "Doyle", "Kennedy", "Lynch", "Quinn", "Gallagher", "Fraser", "Hamilton", "Sinclair",
         "Lawson", "Porter", "Holland", "Barker", "Webb", "Palmer", "Fletcher", "Hart", "Lane", "Dunn"],
    ),
    "hispanic": (
        ["Carlos", "Diego", "Mateo", "Javier", "Luis", "Miguel", "Andres", "Pablo", "Sofia", "Valentina",
         "Camila", "Lucia", "Elena", "Gabriela", "Isabel", "Marta", "Daniela", "Alejandro", "Ines", "Rosa"],
        ["Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez",
         "Torres", "Flores", "Gomez", "Diaz", "Reyes", "Morales", "Ortiz", "Castillo", "Ruiz", "Alvarez",
         "Romero", "Navarro", "Vargas", "Mendoza", "Herrera", "Medina", "Castro", "Molina", "Delgado"],
    ),
    # Sub-pools keep first and last names of one naming tradition together.
    "asian": [
        (["Wei", "Jun", "Hao", "Yang", "Lei", "Mei", "Lin", "Jia", "Xin", "Yan", "Tao", "Qing", "Fang", "Hui"],
         ["Chen", "Wang", "Li", "Zhang", "Liu", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Guo", "He"]),
        (["Ji-woo", "Seo-yeon", "Min-jun", "Ha-eun", "Jae", "Soo-jin", "Hyun", "Eun-ji", "Tae-yang", "Yuna"],
         ["Kim", "Park", "Lee", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Han"]),
        (["Hiroshi", "Yuki", "Kenji", "Haruto", "Sota", "Ren", "Aoi", "Hana", "Sakura", "Takumi", "Emi", "Riku"],
         ["Tanaka", "Sato", "Suzuki", "Nakamura", "Yamamoto", "Takahashi", "Watanabe", "Ito", "Kobayashi", "Kato"]),
        (["Minh", "Linh", "Anh", "Huong", "Duc", "Thao", "Quang", "Trang", "Bao", "Mai"],
         ["Nguyen", "Tran", "Pham", "Le", "Hoang", "Phan", "Vu", "Dang", "Bui", "Do"]),
    ],
    "south_asian": [
        (["Aarav", "Arjun", "Rohan", "Vikram", "Rahul", "Karan", "Sanjay", "Anil", "Nikhil", "Aditya", "Priya",
          "Ananya", "Divya", "Kavya", "Neha", "Pooja", "Meera", "Sunita", "Shreya", "Ishaan"],
         ["Patel", "Sharma", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Rao", "Mehta", "Joshi",
          "Desai", "Kapoor", "Malhotra", "Chopra", "Bhat", "Menon", "Pillai", "Agarwal", "Banerjee"]),
        (["Imran", "Bilal", "Omar", "Hamza", "Zain", "Ayesha", "Aisha", "Farah", "Sana", "Hira", "Usman", "Nadia"],
         ["Khan", "Ahmed", "Hussain", "Ali", "Malik", "Qureshi", "Sheikh", "Chaudhry", "Siddiqui", "Rahman"]),
    ],
    "african": (
        ["Chidi", "Emeka", "Kwame", "Kofi", "Tunde", "Femi", "Amara", "Ngozi", "Zainab", "Adaeze", "Thabo",
         "Sipho", "Nia", "Imani", "Abena", "Yaw"],
        ["Okafor", "Okonkwo", "Adeyemi", "Mensah", "Boateng", "Asante", "Nwosu", "Eze", "Balogun", "Owusu",
         "Diallo", "Ndlovu", "Mokoena", "Abiodun", "Achebe", "Osei"],
    ),
    "french": (
        ["Louis", "Gabriel", "Hugo", "Arthur", "Jules", "Théo", "Raphaël", "Antoine", "Mathis", "Baptiste",
         "Julien", "Nicolas", "Camille", "Léa", "Chloé", "Manon", "Inès", "Juliette", "Louise", "Clara",
         "Pauline", "Margaux", "Élodie", "Sébastien", "Amélie", "Céline"],
        ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
         "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
         "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Faure", "Rousseau",
         "Blanc", "Guérin", "Muller", "Henry", "Chevalier", "Gauthier", "Perrin", "Lemaire"],
    ),
    "german": (
        ["Lukas", "Leon", "Finn", "Jonas", "Paul", "Felix", "Maximilian", "Moritz", "Tobias", "Florian",
         "Stefan", "Matthias", "Anna", "Lena", "Laura", "Lea", "Hannah", "Sophie", "Johanna", "Katharina",
         "Julia", "Marie", "Sabine", "Jürgen", "Jörg", "Anja"],
        ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
         "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
         "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Maier"],
    ),
    "dutch": (
        ["Daan", "Sem", "Lars", "Bram", "Jesse", "Thijs", "Ruben", "Sanne", "Femke", "Lotte", "Eva", "Anouk",
         "Fleur", "Maartje", "Joris", "Wouter"],
        ["Jansen", "Visser", "Smit", "Meijer", "Bos", "Mulder", "Vos", "Peters", "Hendriks", "Dekker", "Brouwer",
         "Dijkstra", "Kok", "Jacobs", "Bakker", "Willems", "Koster", "Prins", "Postma", "Kuiper"],
    ),
    "swedish": (
        ["Erik", "Lars", "Anders", "Johan", "Oskar", "Axel", "Elias", "Astrid", "Ingrid", "Elsa", "Maja",
         "Saga", "Linnea", "Freja", "Björn", "Sven"],
        ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
         "Svensson", "Gustafsson", "Lindberg", "Lindqvist", "Bergström", "Holm", "Sandberg", "Ekström"],
    ),
    "irish": (
        ["Aoife", "Ciara", "Niamh", "Siobhan", "Sinead", "Orla", "Cian", "Oisin", "Darragh", "Eoin", "Conor",
         "Sean", "Padraig", "Roisin"],
        ["Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor", "O'Neill", "Doyle",
         "McCarthy", "Gallagher", "Doherty", "Kennedy", "Lynch", "Murray", "Quinn", "Moore", "McLoughlin",
         "Brennan", "Fitzgerald", "Dunne"],
    ),
}
NAME_MIX = {  # which name pools each country's workforce draws from, with weights
    "US": [("anglo", 52), ("hispanic", 16), ("asian", 12), ("south_asian", 12), ("african", 8)],
    "CA": [("anglo", 55), ("french", 15), ("asian", 14), ("south_asian", 12), ("african", 4)],
    "GB": [("anglo", 62), ("south_asian", 16), ("irish", 8), ("african", 8), ("asian", 6)],
    "IE": [("irish", 60), ("anglo", 30), ("south_asian", 5), ("asian", 5)],
    "AU": [("anglo", 65), ("asian", 20), ("south_asian", 10), ("irish", 5)],
    "FR": [("french", 85), ("hispanic", 5), ("african", 6), ("anglo", 4)],
    "DE": [("german", 85), ("anglo", 5), ("south_asian", 5), ("hispanic", 5)],
    "NL": [("dutch", 80), ("german", 8), ("anglo", 6), ("south_asian", 6)],
    "ES": [("hispanic", 88), ("anglo", 6), ("french", 6)],
    "SE": [("swedish", 85), ("anglo", 8), ("german", 7)],
}

# department, weight, github share, titles by seniority (c_suite/vp/director/manager/senior/entry)
DEPARTMENTS = [
    ("Engineering", 28, 0.62, {
        "c_suite": ["Chief Technology Officer"], "vp": ["VP of Engineering"],
        "director": ["Director of Engineering", "Head of Platform"],
        "manager": ["Engineering Manager", "QA Manager"],
        "senior": ["Senior Software Engineer", "Staff Software Engineer", "Senior Backend Engineer",
                   "Senior Frontend Engineer", "Senior Site Reliability Engineer"],
        "entry": ["Software Engineer", "Backend Engineer", "Frontend Engineer", "QA Engineer", "DevOps Engineer"]}),
    ("Data", 6, 0.5, {
        "c_suite": ["Chief Data Officer"], "vp": ["VP of Data"], "director": ["Head of Data", "Director of Analytics"],
        "manager": ["Data Science Manager", "Analytics Manager"],
        "senior": ["Senior Data Scientist", "Senior Data Engineer", "Senior Analytics Engineer"],
        "entry": ["Data Analyst", "Data Engineer", "Machine Learning Engineer"]}),
    ("Product", 9, 0.18, {
        "c_suite": ["Chief Product Officer"], "vp": ["VP of Product"],
        "director": ["Director of Product Management", "Head of Design"],
        "manager": ["Group Product Manager", "Design Manager"],
        "senior": ["Senior Product Manager", "Senior Product Designer", "Senior UX Researcher"],
        "entry": ["Associate Product Manager", "Product Designer", "UX Designer"]}),
    ("Sales", 18, 0.03, {
        "c_suite": ["Chief Revenue Officer"], "vp": ["VP of Sales"],
        "director": ["Director of Sales", "Regional Sales Director"],
        "manager": ["Sales Manager", "Sales Development Manager"],
        "senior": ["Senior Account Executive", "Enterprise Account Executive", "Senior Solutions Consultant"],
        "entry": ["Sales Development Representative", "Account Executive", "Business Development Representative"]}),
    ("Marketing", 10, 0.04, {
        "c_suite": ["Chief Marketing Officer"], "vp": ["VP of Marketing"],
        "director": ["Director of Demand Generation", "Director of Product Marketing"],
        "manager": ["Marketing Manager", "Content Marketing Manager", "Growth Marketing Manager"],
        "senior": ["Senior Marketing Specialist", "Senior Content Strategist", "Senior Marketing Operations Specialist"],
        "entry": ["Marketing Coordinator", "Marketing Associate", "Social Media Specialist"]}),
    ("Customer Success", 10, 0.05, {
        "c_suite": ["Chief Customer Officer"], "vp": ["VP of Customer Success"],
        "director": ["Director of Customer Success", "Director of Support"],
        "manager": ["Customer Success Manager", "Support Manager"],
        "senior": ["Senior Support Engineer", "Senior Implementation Consultant"],
        "entry": ["Customer Support Specialist", "Onboarding Specialist"]}),
    ("Operations", 8, 0.04, {
        "c_suite": ["Chief Operating Officer"], "vp": ["VP of Operations"],
        "director": ["Director of Operations", "Director of Revenue Operations"],
        "manager": ["Operations Manager", "Revenue Operations Manager"],
        "senior": ["Senior Operations Analyst", "Senior Revenue Operations Analyst"],
        "entry": ["Operations Coordinator", "Operations Associate"]}),
    ("Finance", 6, 0.02, {
        "c_suite": ["Chief Financial Officer"], "vp": ["VP of Finance"], "director": ["Finance Director", "Controller"],
        "manager": ["Finance Manager", "Accounting Manager"],
        "senior": ["Senior Financial Analyst", "Senior Accountant"],
        "entry": ["Financial Analyst", "Accountant"]}),
    ("People", 5, 0.02, {
        "c_suite": ["Chief People Officer"], "vp": ["VP of People"],
        "director": ["Head of People", "Director of Talent Acquisition"],
        "manager": ["Talent Acquisition Manager", "People Operations Manager"],
        "senior": ["Senior Recruiter", "Senior HR Business Partner"],
        "entry": ["Recruiter", "People Operations Coordinator"]}),
]
DEPT_BY_NAME = {d[0]: d for d in DEPARTMENTS}
X_WORDS = {"Engineering": ["codes", "builds", "ships", "dev"], "Data": ["data", "stats", "ml"],
           "Product": ["product", "design", "ux"], "Sales": ["sales", "closes", "sells"],
           "Marketing": ["mktg", "growth", "brand"], "Customer Success": ["cs", "helps", "support"],
           "Operations": ["ops", "revops"], "Executive": ["ceo", "founder"], "Finance": ["fin", "cfo"], "People": ["hr", "talent", "hires"]}

SENIORITY_WEIGHTS_SMALL = [("c_suite", 5), ("vp", 3), ("director", 6), ("manager", 13), ("senior", 34), ("entry", 36)]
SENIORITY_WEIGHTS_LARGE = [("c_suite", 3), ("vp", 8), ("director", 13), ("manager", 19), ("senior", 29), ("entry", 28)]

EMAIL_PATTERNS = [("first.last", 40), ("flast", 20), ("firstlast", 12), ("first", 9), ("last.first", 10),
                  ("first_l", 9)]
FREEMAIL_DOMAINS = ["mailbox.example", "inbox.example", "postbox.example", "webmail.example"]

POST_TEMPLATES = {
    "any": [
        "Proud of the {company} team this quarter. We shipped more than we planned and kept our customers happy.",
        "Three lessons from a year at {company}: write things down, talk to customers, and protect focus time.",
        "Looking forward to meeting customers in {city} next month. Ping me if you want to grab a coffee.",
        "We just published our annual customer report at {company}. The retention numbers surprised even us.",
        "Spent the week with our customers in {city}. Nothing beats hearing feedback first-hand.",
    ],
    "hiring": [
        "{company} is hiring! We have open roles in {dept}. Reach out if you want to hear more.",
        "My team at {company} is growing. If you know a great {role}, send them my way.",
    ],
    "funding": [
        "Big news: {company} closed its {round}. Thank you to our customers and investors for the trust.",
        "With our {round} done, {company} is doubling down on product and customer success.",
    ],
    "job_change": [
        "Excited to share that I've joined {company} as {title}!",
        "New chapter: I'm starting as {title} at {company}. Grateful to my former colleagues at {from_company}.",
    ],
    "Engineering": ["We cut our deploy time at {company} in half by moving builds to ephemeral runners. Write-up soon.",
                    "Wrote up how we debug flaky integration tests at {company}. Feedback welcome."],
    "Sales": ["Best discovery question I learned this year: what happens if you do nothing?",
              "Great quarter for the {company} sales team. Huge thanks to our SDRs."],
    "Marketing": ["Our new {company} webinar series starts next week. First topic: benchmarks from 500 customers.",
                  "Brand is what people say about you when you leave the room. Working on ours at {company}."],
    "Product": ["Shipped a feature at {company} that customers asked about in every interview. Small change, big impact.",
                "Roadmap planning season at {company}. Fewer bets, bigger bets."],
}


# --------------------------------------------------------------------------------------------------
# Showcase records: fixed values documented in data/demo/README.md and used by the project README.
# --------------------------------------------------------------------------------------------------

SHOWCASE_COMPANIES = [
    {
        "domain": "westmarkrobotics.com", "name": "Westmark Robotics", "industry": "Robotics",
        "employee_count": 240, "revenue_band": "$10M-$50M", "founded_year": 2017, "hq_country": "US",
        "hq_city": "San Francisco",
        "tech_stack": ["ROS 2", "C++", "Python", "Kubernetes", "AWS", "PostgreSQL", "Grafana", "HubSpot"],
        "funding_stage": "Series B", "last_funding_date": "2026-08-19", "total_raised_usd": 68500000,
        "description": "Westmark Robotics builds autonomous mobile robots that move materials around warehouses and factory floors.",
        "logo_url": "https://logo.example/westmarkrobotics.com.png",
        "company_linkedin_url": "https://www.linkedin.com/company/westmark-robotics",
        "signals": {
            "hiring": [
                {"role": "Senior Controls Engineer", "department": "Engineering", "posted_at": "2026-10-21"},
                {"role": "Perception Engineer", "department": "Engineering", "posted_at": "2026-10-09"},
                {"role": "Enterprise Account Executive", "department": "Sales", "posted_at": "2026-09-30"},
            ],
            "funding": [{"round": "Series B", "amount_usd": 42000000, "announced_at": "2026-08-19"}],
        },
        "_people": 22, "_pattern": "first.last",
    },
    {
        "domain": "tidewell.io", "name": "Tidewell Analytics", "industry": "Software",
        "employee_count": 85, "revenue_band": "$1M-$10M", "founded_year": 2020, "hq_country": "US",
        "hq_city": "Austin",
        "tech_stack": ["TypeScript", "React", "Go", "Snowflake", "dbt", "Google Cloud", "Salesforce"],
        "funding_stage": "Series A", "last_funding_date": "2025-11-04", "total_raised_usd": 21000000,
        "description": "Tidewell Analytics gives revenue teams a forecasting workspace that reconciles CRM pipeline with billing data.",
        "logo_url": "https://logo.example/tidewell.io.png",
        "company_linkedin_url": "https://www.linkedin.com/company/tidewell-analytics",
        "signals": {
            "hiring": [
                {"role": "Account Executive", "department": "Sales", "posted_at": "2026-10-27"},
                {"role": "Senior Data Engineer", "department": "Data", "posted_at": "2026-10-02"},
            ],
            "funding": [{"round": "Series A", "amount_usd": 16000000, "announced_at": "2025-11-04"}],
        },
        "_people": 14, "_pattern": "first.last",
    },
]


def showcase_people(companies_by_domain):
    westmark = companies_by_domain["westmarkrobotics.com"]
    tidewell = companies_by_domain["tidewell.io"]
    chloe = {
        "first_name": "Chloe", "last_name": "Walker", "full_name": "Chloe Walker",
        "work_email": "chloe.walker@westmarkrobotics.com", "personal_email": "chloe.walker88@mailbox.example",
        "phone": "+14155238841", "linkedin_url": "https://www.linkedin.com/in/chloewalker",
        "job_title": "VP of Engineering", "seniority": "vp",
        "company_name": "Westmark Robotics", "company_domain": "westmarkrobotics.com",
        "location": "San Francisco, United States", "github_username": "chloe-walker",
        "signals": {
            "job_changes": [{"from_company": "Tidewell Analytics", "to_company": "Westmark Robotics",
                             "title": "VP of Engineering", "changed_at": "2026-09-14"}],
            "posts": [{"platform": "linkedin",
                       "text": "Thrilled to be joining Westmark Robotics as VP of Engineering. We're hiring across controls, perception and platform.",
                       "posted_at": "2026-09-16"}],
            "hiring": [dict(h) for h in westmark["signals"]["hiring"]],
            "funding": [dict(f) for f in westmark["signals"]["funding"]],
        },
    }
    jordan = {
        "first_name": "Jordan", "last_name": "Rivera", "full_name": "Jordan Rivera",
        "work_email": "jordan.rivera@tidewell.io", "personal_email": "jordan.rivera.atx@inbox.example",
        "phone": "+15124780192", "linkedin_url": "https://www.linkedin.com/in/jordan-rivera",
        "job_title": "Senior Account Executive", "seniority": "senior",
        "company_name": "Tidewell Analytics", "company_domain": "tidewell.io",
        "location": "Austin, United States", "x_handle": "jordan_sales", "github_username": "jordanrivera",
        "signals": {
            "posts": [{"platform": "x",
                       "text": "Forecast calls are so much calmer when pipeline and billing agree. Tidewell Analytics is hiring AEs in Austin, DM me.",
                       "posted_at": "2026-10-28"}],
            "hiring": [dict(h) for h in tidewell["signals"]["hiring"]],
        },
    }
    return [chloe, jordan]


# Names kept out of the generated records so the showcase lookups are unambiguous, plus one name that
# is deliberately absent (the work-email pattern example in README.md).
RESERVED_NAMES = {("chloe", "walker"), ("jordan", "rivera"), ("sam", "okafor")}
RESERVED_HANDLES = {"chloewalker", "jordan-rivera", "jordanrivera", "jordan_sales", "chloe-walker",
                    "chloe.walker88", "jordan.rivera.atx"}


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------

def weighted(rng, pairs):
    items = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return rng.choices(items, weights=weights, k=1)[0]


def ascii_fold(text):
    text = text.replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("Æ", "Ae").replace("Ø", "O")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def token(text):
    """Lower-case ASCII letters and digits only: "O'Brien" -> "obrien", "Ji-woo" -> "jiwoo"."""
    return "".join(c for c in ascii_fold(text).lower() if c.isalnum())


def iso(d):
    return d.isoformat()


def date_in_window(rng, recent_bias=True, max_days=WINDOW_DAYS):
    max_days = min(max_days, WINDOW_DAYS)
    days_ago = int(rng.triangular(0, max_days, 0)) if recent_bias else rng.randint(0, max_days)
    return REFERENCE_DATE - timedelta(days=days_ago)


def date_between(rng, start, end):
    return start + timedelta(days=rng.randint(0, (end - start).days))


def revenue_band(revenue):
    for limit, label in REVENUE_BANDS:
        if revenue < limit:
            return label
    return "$1B+"


def round_to(value, step):
    return int(round(value / step)) * step


def email_local(pattern, first, last):
    f, l = token(first), token(last)
    return {
        "first.last": f + "." + l, "flast": f[0] + l, "firstlast": f + l, "first": f,
        "last.first": l + "." + f, "first_l": f + "_" + l[0],
    }[pattern]


# --------------------------------------------------------------------------------------------------
# Companies
# --------------------------------------------------------------------------------------------------

def make_companies(rng):
    companies = [dict(c) for c in SHOWCASE_COMPANIES]
    used_domains = {c["domain"] for c in companies}
    used_roots = {"Westmark", "Tidewell"}
    used_slugs = {c["company_linkedin_url"].rsplit("/", 1)[1] for c in companies}
    used_names = {c["name"] for c in companies}

    roots = [p + s for p in NAME_PREFIXES for s in NAME_SUFFIXES]
    roots = [r for r in roots if r not in NAME_DENY and not r.endswith(("ee", "hh"))
             and not (r[-1] == r[-2] and r[-1] not in "ls")]
    rng.shuffle(roots)

    while len(companies) < COMPANY_COUNT:
        root = roots.pop()
        if root in used_roots:
            continue
        used_roots.add(root)
        industry = weighted(rng, [(i, i[1]) for i in INDUSTRIES])
        ind_name, _, words, rev_per_emp, products, customers, _extra = industry
        country = weighted(rng, [(c, COUNTRIES[c]["weight"]) for c in COUNTRY_CODES])
        cinfo = COUNTRIES[country]
        city = rng.choice(cinfo["cities"])[0]

        form = rng.random()
        if form < 0.62:
            name = root + " " + rng.choice(words)
        elif form < 0.82:
            name = root
        else:
            name = root + " " + rng.choice(["Labs", "Group", "Systems", "Technologies", "Co", "Studio", "Works"])
        if name in used_names:
            continue

        root_l = root.lower()
        name_l = token(name)
        tld = rng.choice(cinfo["tlds"]) if rng.random() < 0.5 else ".com"
        candidates = []
        if ind_name in ("Software", "Cybersecurity", "HR Tech", "Fintech") and rng.random() < 0.3:
            candidates.append(root_l + rng.choice([".io", ".ai", ".dev"]))
        candidates += [name_l + tld, root_l + tld, "get" + root_l + ".com", root_l + "hq.com",
                       name_l + "group.com", "the" + name_l + ".com"]
        domain = next(d for d in candidates if d not in used_domains)
        used_domains.add(domain)

        slug_base = "-".join(token(w) for w in name.split())
        slug = slug_base if slug_base not in used_slugs else slug_base + "-" + country.lower()
        used_slugs.add(slug)
        used_names.add(name)

        stage = weighted(rng, [(s, s[1]) for s in STAGES])
        stage_name, _, emp_range, founded_range, round_range, prior_mult = stage
        lo, hi = emp_range
        employees = int(round(lo * (hi / lo) ** rng.random()))
        if employees > 100:
            employees = round_to(employees, 5)
        founded = rng.randint(*founded_range)
        if founded > REFERENCE_DATE.year:
            founded = REFERENCE_DATE.year
        revenue = employees * rng.uniform(*rev_per_emp) * 1000
        if stage_name in ("Pre-Seed", "Seed"):
            revenue *= rng.uniform(0.1, 0.5)
        elif stage_name == "Series A":
            revenue *= rng.uniform(0.3, 0.8)

        tech = []
        pool = TECH_BY_INDUSTRY.get(ind_name, []) + TECH_ENGINEERING
        for t in rng.sample(pool, rng.randint(3, 6)) + rng.sample(TECH_COMMON, rng.randint(2, 4)):
            if t not in tech:
                tech.append(t)

        product = rng.choice(products)
        verb = rng.choice(["builds", "provides", "offers", "develops", "runs"])
        description = "%s %s %s for %s." % (name, verb, product, rng.choice(customers))

        company = {
            "domain": domain, "name": name, "industry": ind_name, "employee_count": employees,
            "revenue_band": revenue_band(revenue), "founded_year": founded, "hq_country": country,
            "hq_city": city, "tech_stack": tech, "funding_stage": stage_name,
        }

        signals = {}
        if round_range is not None:
            amount = round_to(rng.uniform(*round_range) * 1_000_000, 250_000 if round_range[1] < 2 else 500_000)
            prior = round_to(amount * rng.uniform(*prior_mult), 250_000)
            founded_date = date(founded, 1, 1)
            recent_allowed = stage_name not in ("Public", "Private Equity") or rng.random() < 0.25
            if stage_name == "Pre-Seed" or (recent_allowed and rng.random() < 0.38):
                last = date_in_window(rng, recent_bias=False)
                if last < founded_date:
                    last = date_between(rng, max(founded_date, WINDOW_START), REFERENCE_DATE)
                round_label = stage_name if stage_name != "Public" else "Post-IPO Equity"
                signals["funding"] = [{"round": round_label, "amount_usd": amount, "announced_at": iso(last)}]
            else:
                start = max(date(founded, 6, 1), date(2012, 1, 1))
                end = WINDOW_START - timedelta(days=1)
                if start > end:
                    start = date(end.year - 1, 1, 1)
                last = date_between(rng, start, end)
                if founded > last.year:
                    founded = last.year
                    company["founded_year"] = founded
            company["last_funding_date"] = iso(last)
            company["total_raised_usd"] = int(amount + prior)
        else:
            company["total_raised_usd"] = 0

        company["description"] = description
        company["logo_url"] = "https://logo.example/%s.png" % domain
        company["company_linkedin_url"] = "https://www.linkedin.com/company/%s" % slug

        if rng.random() < 0.5:
            extra = industry[6]
            hiring = []
            for _ in range(rng.randint(1, 5)):
                dept = weighted(rng, [(d, d[1]) for d in DEPARTMENTS])
                level = weighted(rng, [("senior", 45), ("entry", 35), ("manager", 15), ("director", 5)])
                titles = list(dept[3][level])
                if dept[0] == "Engineering" and level in extra:
                    titles += extra[level] * 2
                hiring.append({"role": rng.choice(titles), "department": dept[0],
                               "posted_at": iso(date_in_window(rng, max_days=240))})
            hiring.sort(key=lambda h: (h["posted_at"], h["role"]), reverse=True)
            signals = {"hiring": hiring, **signals}
        if signals:
            company["signals"] = signals
        company["_people"] = None
        company["_pattern"] = weighted(rng, EMAIL_PATTERNS)
        companies.append(company)
    return companies


# --------------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------------

class Registry:
    """Global uniqueness for identifiers that the dataset provider matches on."""

    def __init__(self):
        self.linkedin = set(RESERVED_HANDLES)
        self.x = set(RESERVED_HANDLES)
        self.github = set(RESERVED_HANDLES)
        self.personal = set(RESERVED_HANDLES)
        self.phones = set()

    @staticmethod
    def claim(used, candidates):
        for c in candidates:
            if c and c not in used:
                used.add(c)
                return c
        return None


def people_count(company, rng):
    if company["_people"]:
        return company["_people"]
    n = 2.3 * (company["employee_count"] ** 0.3) + rng.uniform(-1.5, 2.5)
    return max(4, min(28, int(round(n))))


def make_people(rng, companies, companies_by_domain, reg):
    people = []
    for p in showcase_people(companies_by_domain):
        reg.phones.add(p["phone"])
        people.append(p)
    taken_local = {}  # domain -> set of email local parts
    for p in people:
        local, domain = p["work_email"].split("@")
        taken_local.setdefault(domain, set()).add(local)

    company_names = [c["name"] for c in companies]
    for company in companies:
        domain = company["domain"]
        country = company["hq_country"]
        cinfo = COUNTRIES[country]
        city_table = cinfo["cities"]
        hq_areas = next(a for c, a in city_table if c == company["hq_city"])
        pattern = company["_pattern"]
        small = company["employee_count"] < 40
        used_titles = {p["job_title"] for p in people if p["company_domain"] == domain}
        used_names = {(token(p["first_name"]), token(p["last_name"])) for p in people
                      if p["company_domain"] == domain}
        locals_here = taken_local.setdefault(domain, set())
        count = people_count(company, rng) - len(used_names)

        for index in range(count):
            # Name
            while True:
                pool = NAMES[weighted(rng, NAME_MIX[country])]
                if isinstance(pool, list):
                    pool = rng.choice(pool)
                first, last = rng.choice(pool[0]), rng.choice(pool[1])
                key = (token(first), token(last))
                if key not in used_names and key not in RESERVED_NAMES:
                    used_names.add(key)
                    break

            # Role: the first person is the chief executive
            if index == 0:
                seniority, dept_name = "c_suite", "Executive"
                title = rng.choice(["Chief Executive Officer", "Co-founder & CEO", "CEO"]) \
                    if company["funding_stage"] not in ("Public", "Private Equity") else "Chief Executive Officer"
            else:
                seniority = weighted(rng, SENIORITY_WEIGHTS_SMALL if small else SENIORITY_WEIGHTS_LARGE)
                dept = weighted(rng, [(d, d[1]) for d in DEPARTMENTS])
                dept_name = dept[0]
                titles = list(dept[3][seniority])
                extra = next(i[6] for i in INDUSTRIES if i[0] == company["industry"])
                if dept_name == "Engineering" and seniority in extra:
                    titles += extra[seniority] * 2
                if seniority in ("c_suite", "vp"):
                    titles = [t for t in titles if t not in used_titles]
                    if not titles:
                        seniority = "director"
                        titles = list(dept[3]["director"])
                title = rng.choice(titles)
            used_titles.add(title)

            # Work email: the company's pattern, first.last on a collision, a few deliberate exceptions
            chosen = pattern
            if count >= 6 and company["_people"] is None and rng.random() < 0.02:
                chosen = "flast" if pattern == "first.last" else "first.last"
            local = email_local(chosen, first, last)
            if local in locals_here:
                alternatives = [email_local("first.last", first, last), email_local("flast", first, last)]
                alternatives += [email_local(pattern, first, last) + str(k) for k in range(2, 9)]
                local = next(a for a in alternatives if a not in locals_here)
            locals_here.add(local)

            # Location: mostly the head office, sometimes another city in the same country
            if rng.random() < 0.82:
                city, areas = company["hq_city"], hq_areas
            else:
                city, areas = rng.choice(city_table)
            f, l = token(first), token(last)

            person = {
                "first_name": first, "last_name": last, "full_name": first + " " + last,
                "work_email": local + "@" + domain,
            }
            if rng.random() < 0.4:
                year = str(rng.randint(1970, 2001))
                candidates = [rng.choice([f + "." + l, f + l + year[2:], f + "_" + l, f[0] + l + year,
                                          f + "." + l[0] + year[2:], l + "." + f])]
                candidates += [f + "." + l + str(k) for k in range(2, 99)]
                personal_local = reg.claim(reg.personal, candidates)
                person["personal_email"] = personal_local + "@" + rng.choice(FREEMAIL_DOMAINS)
            if rng.random() < 0.7:
                for _ in range(100):
                    if rng.random() < 0.6:
                        digits = mobile_digits(country, areas, rng)
                    else:
                        digits = landline_digits(country, rng.choice(areas), rng)
                    number = "+" + cinfo["cc"] + digits
                    if number not in reg.phones:
                        reg.phones.add(number)
                        person["phone"] = number
                        break
            suffix = "%x" % rng.randint(0x1000000, 0xfffffff)
            li_candidates = [rng.choice([f + l, f + "-" + l, f + "-" + l + "-" + suffix, f + l + str(rng.randint(1, 99)),
                                         f[0] + l]),
                             f + "-" + l + "-" + suffix, f + "-" + l + "-" + suffix + "a"]
            person["linkedin_url"] = "https://www.linkedin.com/in/" + reg.claim(reg.linkedin, li_candidates)
            person.update({
                "job_title": title, "seniority": seniority, "company_name": company["name"],
                "company_domain": domain, "location": "%s, %s" % (city, cinfo["name"]),
            })
            if rng.random() < 0.3:
                word = rng.choice(X_WORDS[dept_name])
                x_candidates = [c for c in [rng.choice([f + l, f + "_" + l, f + "_" + word, f[0] + l,
                                                        f + l + str(rng.randint(1, 99)), "the" + f + l]),
                                            f + "_" + l, f + l + "_", f + "_" + l[:3] + str(rng.randint(10, 99))]
                                if len(c) <= 15]
                handle = reg.claim(reg.x, x_candidates)
                if handle:
                    person["x_handle"] = handle
            github_share = DEPT_BY_NAME[dept_name][2] if dept_name in DEPT_BY_NAME else 0.1
            if index == 0:
                github_share = 0.15
            if rng.random() < github_share:
                gh_candidates = [rng.choice([f + l, f + "-" + l, f[0] + l, f + l + str(rng.randint(1, 99)),
                                             f + "-dev", l + f[0]]),
                                 f + "-" + l, f + l + str(rng.randint(100, 999))]
                person["github_username"] = reg.claim(reg.github, gh_candidates)

            signals = person_signals(rng, person, company, dept_name, index, company_names)
            if signals:
                person["signals"] = signals
            people.append(person)
    return people


def person_signals(rng, person, company, dept_name, index, company_names):
    if rng.random() >= 0.25:
        return None
    csig = company.get("signals", {})
    signals = {}
    city = person["location"].split(",")[0]
    is_founder = index == 0
    if not is_founder and rng.random() < 0.5:
        from_company = rng.choice(company_names)
        while from_company == company["name"]:
            from_company = rng.choice(company_names)
        changed = date_in_window(rng)
        signals["job_changes"] = [{"from_company": from_company, "to_company": company["name"],
                                   "title": person["job_title"], "changed_at": iso(changed)}]
    if rng.random() < 0.6 or not signals:
        posts = []
        if "job_changes" in signals and rng.random() < 0.6:
            change = signals["job_changes"][0]
            posted = date.fromisoformat(change["changed_at"]) + timedelta(days=rng.randint(0, 6))
            posts.append({"platform": "linkedin", "text": rng.choice(POST_TEMPLATES["job_change"]).format(
                company=company["name"], title=person["job_title"], from_company=change["from_company"]),
                "posted_at": iso(min(posted, REFERENCE_DATE))})
        for _ in range(rng.randint(1, 2)):
            kinds = ["any", "any"]
            if dept_name in POST_TEMPLATES:
                kinds.append(dept_name)
            if "hiring" in csig:
                kinds.append("hiring")
            if "funding" in csig:
                kinds.append("funding")
            kind = rng.choice(kinds)
            fields = {"company": company["name"], "city": city, "dept": dept_name, "role": "", "round": ""}
            posted = date_in_window(rng)
            if kind == "hiring":
                job = rng.choice(csig["hiring"])
                fields.update(dept=job["department"].lower() if job["department"] != "People" else "people ops",
                              role=job["role"])
                posted = max(posted, date.fromisoformat(job["posted_at"]))
            if kind == "funding":
                fields["round"] = csig["funding"][0]["round"]
                posted = date.fromisoformat(csig["funding"][0]["announced_at"]) + timedelta(days=rng.randint(0, 3))
            text = rng.choice(POST_TEMPLATES[kind]).format(**fields)
            if any(p["text"] == text for p in posts):
                continue
            posts.append({"platform": rng.choice(["linkedin", "linkedin", "x"]), "text": text,
                          "posted_at": iso(min(posted, REFERENCE_DATE))})
        posts.sort(key=lambda p: p["posted_at"], reverse=True)
        signals["posts"] = posts
    if "hiring" in csig and (person["seniority"] in ("c_suite", "vp", "director", "manager")
                             or dept_name == "People") and rng.random() < 0.7:
        signals["hiring"] = [dict(h) for h in csig["hiring"]]
    if "funding" in csig and rng.random() < 0.7:
        signals["funding"] = [dict(f) for f in csig["funding"]]
    return signals


# --------------------------------------------------------------------------------------------------

def public(record):
    return {k: v for k, v in record.items() if not k.startswith("_")}


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


def main():
    rng = random.Random(SEED)
    companies = make_companies(rng)
    companies_by_domain = {c["domain"]: c for c in companies}
    people = make_people(rng, companies, companies_by_domain, Registry())

    order = {c["domain"]: i for i, c in enumerate(sorted(companies, key=lambda c: c["domain"]))}
    companies.sort(key=lambda c: order[c["domain"]])
    people.sort(key=lambda p: (order[p["company_domain"]], p["last_name"], p["first_name"]))

    write_jsonl(os.path.join(HERE, "companies.jsonl"), [public(c) for c in companies])
    write_jsonl(os.path.join(HERE, "people.jsonl"), people)
    print("wrote %d companies and %d people to %s" % (len(companies), len(people), HERE))


if __name__ == "__main__":
    main()
