"""Hand-written tables for the synthetic data seeder (``app.services.seed``).

Names as they appear in north-Indian rural registers (Uttar Pradesh, Bihar, Madhya Pradesh,
Rajasthan, Jharkhand), each with its usual Devanagari spelling, so every seeded patient has
``name`` in one script and ``name_alt`` in the other. Villages are plausible names (many are
real block or village names of the district they are listed under); districts and states are
spelt exactly as in ``app/data/lgd_states_districts.csv``. Strings here may be written in any
Unicode form: the seeder NFC-normalises everything before storing it.

None of this is real patient data. Immutable tables: thread-safe.
"""

from __future__ import annotations

# -- given names: (Latin, Devanagari) ---------------------------------------------------------

MALE_GIVEN: tuple[tuple[str, str], ...] = (
    ("Ramesh", "रमेश"), ("Suresh", "सुरेश"), ("Mahesh", "महेश"), ("Dinesh", "दिनेश"),
    ("Rajesh", "राजेश"), ("Mukesh", "मुकेश"), ("Rakesh", "राकेश"), ("Naresh", "नरेश"),
    ("Umesh", "उमेश"), ("Ganesh", "गणेश"), ("Santosh", "संतोष"), ("Manoj", "मनोज"),
    ("Anil", "अनिल"), ("Sunil", "सुनील"), ("Vinod", "विनोद"), ("Pramod", "प्रमोद"),
    ("Ashok", "अशोक"), ("Vijay", "विजय"), ("Ajay", "अजय"), ("Sanjay", "संजय"),
    ("Ravi", "रवि"), ("Raju", "राजू"), ("Ramu", "रामू"), ("Shyam", "श्याम"),
    ("Ram", "राम"), ("Mohan", "मोहन"), ("Sohan", "सोहन"), ("Gopal", "गोपाल"),
    ("Krishna", "कृष्णा"), ("Hari", "हरि"), ("Shiv", "शिव"), ("Shankar", "शंकर"),
    ("Bhola", "भोला"), ("Raghunath", "रघुनाथ"), ("Jagdish", "जगदीश"), ("Omprakash", "ओमप्रकाश"),
    ("Ramkishan", "रामकिशन"), ("Ramdayal", "रामदयाल"), ("Ramlal", "रामलाल"),
    ("Shivcharan", "शिवचरण"), ("Rampal", "रामपाल"), ("Baburam", "बाबूराम"),
    ("Sitaram", "सीताराम"), ("Rajendra", "राजेंद्र"), ("Surendra", "सुरेंद्र"),
    ("Mahendra", "महेंद्र"), ("Narendra", "नरेंद्र"), ("Devendra", "देवेंद्र"),
    ("Jitendra", "जितेंद्र"), ("Dharmendra", "धर्मेंद्र"), ("Virendra", "वीरेंद्र"),
    ("Brijesh", "बृजेश"), ("Awadhesh", "अवधेश"), ("Kamlesh", "कमलेश"), ("Deepak", "दीपक"),
    ("Pankaj", "पंकज"), ("Amit", "अमित"), ("Sumit", "सुमित"), ("Rahul", "राहुल"),
    ("Vikas", "विकास"), ("Vivek", "विवेक"), ("Arun", "अरुण"), ("Pawan", "पवन"),
    ("Sachin", "सचिन"), ("Sandeep", "संदीप"), ("Pradeep", "प्रदीप"), ("Kuldeep", "कुलदीप"),
    ("Manish", "मनीष"), ("Ankit", "अंकित"), ("Gaurav", "गौरव"), ("Lalit", "ललित"),
    ("Lakhan", "लखन"), ("Bhagirath", "भागीरथ"), ("Hemraj", "हेमराज"), ("Hansraj", "हंसराज"),
    ("Kishan", "किशन"), ("Kishore", "किशोर"), ("Chhotelal", "छोटेलाल"), ("Munna", "मुन्ना"),
    ("Pappu", "पप्पू"), ("Guddu", "गुड्डू"), ("Bablu", "बबलू"), ("Birsa", "बिरसा"),
    ("Sukhram", "सुखराम"), ("Budhram", "बुधराम"), ("Mangal", "मंगल"), ("Somra", "सोमरा"),
)  # fmt: skip

FEMALE_GIVEN: tuple[tuple[str, str], ...] = (
    ("Sunita", "सुनीता"), ("Anita", "अनीता"), ("Geeta", "गीता"), ("Sita", "सीता"),
    ("Rita", "रीता"), ("Savita", "सविता"), ("Kavita", "कविता"), ("Lalita", "ललिता"),
    ("Mamta", "ममता"), ("Rekha", "रेखा"), ("Sushma", "सुषमा"), ("Usha", "उषा"),
    ("Asha", "आशा"), ("Nisha", "निशा"), ("Manju", "मंजू"), ("Anju", "अंजू"),
    ("Pooja", "पूजा"), ("Priya", "प्रिया"), ("Priyanka", "प्रियंका"), ("Neha", "नेहा"),
    ("Sarita", "सरिता"), ("Kiran", "किरण"), ("Suman", "सुमन"), ("Poonam", "पूनम"),
    ("Shanti", "शांति"), ("Kamla", "कमला"), ("Vimla", "विमला"), ("Nirmala", "निर्मला"),
    ("Urmila", "उर्मिला"), ("Shakuntala", "शकुंतला"), ("Pushpa", "पुष्पा"), ("Laxmi", "लक्ष्मी"),
    ("Saraswati", "सरस्वती"), ("Parvati", "पार्वती"), ("Radha", "राधा"), ("Rukmini", "रुक्मिणी"),
    ("Durga", "दुर्गा"), ("Kalawati", "कलावती"), ("Phoolmati", "फूलमती"), ("Ramkali", "रामकली"),
    ("Shyamkali", "श्यामकली"), ("Rampyari", "रामप्यारी"), ("Bhagwati", "भगवती"),
    ("Sharda", "शारदा"), ("Sudha", "सुधा"), ("Meena", "मीना"), ("Reena", "रीना"),
    ("Rani", "रानी"), ("Guddi", "गुड्डी"), ("Munni", "मुन्नी"), ("Babli", "बबली"),
    ("Sonam", "सोनम"), ("Sangeeta", "संगीता"), ("Jyoti", "ज्योति"), ("Pinki", "पिंकी"),
    ("Rinki", "रिंकी"), ("Khushboo", "खुशबू"), ("Anjali", "अंजलि"), ("Ranjana", "रंजना"),
    ("Archana", "अर्चना"), ("Vandana", "वंदना"), ("Kalpana", "कल्पना"), ("Manorama", "मनोरमा"),
    ("Chanda", "चंदा"), ("Champa", "चंपा"), ("Dhaniya", "धनिया"), ("Budhni", "बुधनी"),
    ("Salomi", "सलोमी"), ("Maya", "माया"), ("Kusum", "कुसुम"), ("Savitri", "सावित्री"),
    ("Gayatri", "गायत्री"), ("Meera", "मीरा"), ("Sheela", "शीला"), ("Leela", "लीला"),
)  # fmt: skip

# Muslim given names, paired with the Muslim surnames below.
MALE_GIVEN_MUSLIM: tuple[tuple[str, str], ...] = (
    ("Mohammad", "मोहम्मद"), ("Abdul", "अब्दुल"), ("Salim", "सलीम"), ("Shakeel", "शकील"),
    ("Rafiq", "रफीक"), ("Imran", "इमरान"), ("Irfan", "इरफान"), ("Javed", "जावेद"),
    ("Aslam", "असलम"), ("Anwar", "अनवर"), ("Nasir", "नासिर"), ("Arif", "आरिफ"),
    ("Wasim", "वसीम"), ("Shahid", "शाहिद"), ("Iqbal", "इकबाल"),
)  # fmt: skip

FEMALE_GIVEN_MUSLIM: tuple[tuple[str, str], ...] = (
    ("Shabana", "शबाना"), ("Nasreen", "नसरीन"), ("Rukhsana", "रुखसाना"), ("Shahnaz", "शहनाज"),
    ("Farzana", "फरजाना"), ("Salma", "सलमा"), ("Reshma", "रेशमा"), ("Najma", "नजमा"),
    ("Zarina", "जरीना"), ("Sultana", "सुल्ताना"), ("Fatima", "फातिमा"), ("Ayesha", "आयशा"),
    ("Parveen", "परवीन"), ("Sabina", "सबीना"),
)  # fmt: skip

# -- surnames ---------------------------------------------------------------------------------

# Family names used by men and women alike.
SURNAMES: tuple[tuple[str, str], ...] = (
    ("Yadav", "यादव"), ("Singh", "सिंह"), ("Sharma", "शर्मा"), ("Verma", "वर्मा"),
    ("Gupta", "गुप्ता"), ("Mishra", "मिश्रा"), ("Tiwari", "तिवारी"), ("Pandey", "पांडेय"),
    ("Dubey", "दुबे"), ("Shukla", "शुक्ला"), ("Tripathi", "त्रिपाठी"), ("Chaudhary", "चौधरी"),
    ("Maurya", "मौर्य"), ("Kushwaha", "कुशवाहा"), ("Patel", "पटेल"), ("Lodhi", "लोधी"),
    ("Rajput", "राजपूत"), ("Thakur", "ठाकुर"), ("Chauhan", "चौहान"), ("Rathore", "राठौर"),
    ("Meena", "मीणा"), ("Gurjar", "गुर्जर"), ("Saini", "सैनी"), ("Mali", "माली"),
    ("Prajapati", "प्रजापति"), ("Nishad", "निषाद"), ("Kewat", "केवट"), ("Pal", "पाल"),
    ("Baghel", "बघेल"), ("Jatav", "जाटव"), ("Valmiki", "वाल्मीकि"), ("Paswan", "पासवान"),
    ("Manjhi", "मांझी"), ("Ravidas", "रविदास"), ("Rajbhar", "राजभर"), ("Sahu", "साहू"),
    ("Jaiswal", "जायसवाल"), ("Agrawal", "अग्रवाल"), ("Srivastava", "श्रीवास्तव"),
    ("Saxena", "सक्सेना"), ("Awasthi", "अवस्थी"), ("Dwivedi", "द्विवेदी"),
    ("Upadhyay", "उपाध्याय"), ("Ojha", "ओझा"), ("Jha", "झा"), ("Mahto", "महतो"),
    ("Mandal", "मंडल"), ("Sah", "साह"), ("Rai", "राय"), ("Bhagat", "भगत"),
    ("Oraon", "उरांव"), ("Munda", "मुंडा"), ("Soren", "सोरेन"), ("Hembrom", "हेम्ब्रम"),
    ("Marandi", "मरांडी"), ("Tudu", "टुडू"), ("Kisku", "किस्कू"), ("Murmu", "मुर्मू"),
    ("Toppo", "टोप्पो"), ("Tirkey", "तिर्की"), ("Ekka", "एक्का"), ("Lakra", "लकड़ा"),
    ("Minz", "मिंज"), ("Kujur", "कुजूर"), ("Bhil", "भील"), ("Ahirwar", "अहिरवार"),
    ("Dhakad", "धाकड़"), ("Meghwal", "मेघवाल"), ("Bairwa", "बैरवा"), ("Saroj", "सरोज"),
    ("Gautam", "गौतम"), ("Bharti", "भारती"), ("Rawat", "रावत"),
)  # fmt: skip

# What many men give as their second name instead of a family name.
MALE_SURNAMES: tuple[tuple[str, str], ...] = (
    ("Kumar", "कुमार"), ("Prasad", "प्रसाद"), ("Lal", "लाल"), ("Ram", "राम"), ("Nath", "नाथ"),
)  # fmt: skip

# Likewise for women: Devi (married), Kumari (unmarried), Bai (Madhya Pradesh, Rajasthan).
FEMALE_SURNAMES: tuple[tuple[str, str], ...] = (
    ("Devi", "देवी"), ("Kumari", "कुमारी"), ("Bai", "बाई"),
)  # fmt: skip

MUSLIM_SURNAMES: tuple[tuple[str, str], ...] = (
    ("Khan", "खान"), ("Ansari", "अंसारी"), ("Qureshi", "कुरैशी"), ("Siddiqui", "सिद्दीकी"),
    ("Shaikh", "शेख"), ("Malik", "मलिक"), ("Mansuri", "मंसूरी"), ("Idrisi", "इदरीसी"),
    ("Saifi", "सैफी"), ("Alvi", "अल्वी"),
)  # fmt: skip

MUSLIM_FEMALE_SURNAMES: tuple[tuple[str, str], ...] = (
    ("Bano", "बानो"), ("Khatoon", "खातून"), ("Begum", "बेगम"),
)  # fmt: skip

# Other Latin spellings a clerk may use for the same name (what duplicate matching must see
# through). The Devanagari spelling stays the usual one.
LATIN_VARIANTS: dict[str, tuple[str, ...]] = {
    "Sunita": ("Suneeta",),
    "Geeta": ("Gita",),
    "Sita": ("Seeta",),
    "Laxmi": ("Lakshmi",),
    "Pooja": ("Puja",),
    "Kumar": ("Kumaar",),
    "Mohammad": ("Mohd", "Mohammed", "Muhammad"),
    "Chaudhary": ("Choudhary", "Chaudhari"),
    "Pandey": ("Pande",),
    "Shakeel": ("Shakil",),
    "Sandeep": ("Sandip",),
    "Pradeep": ("Pradip",),
    "Meena": ("Mina",),
    "Sheela": ("Shila",),
    "Rajendra": ("Rajendar",),
    "Surendra": ("Surender",),
    "Yadav": ("Yadava",),
    "Srivastava": ("Shrivastav",),
}

# -- places -----------------------------------------------------------------------------------

# (state, district) exactly as in app/data/lgd_states_districts.csv.
DISTRICTS: tuple[tuple[str, str], ...] = (
    ("UTTAR PRADESH", "KHERI"),
    ("UTTAR PRADESH", "SITAPUR"),
    ("UTTAR PRADESH", "BAHRAICH"),
    ("UTTAR PRADESH", "BARABANKI"),
    ("BIHAR", "GAYA"),
    ("BIHAR", "MUZAFFARPUR"),
    ("MADHYA PRADESH", "SEHORE"),
    ("MADHYA PRADESH", "VIDISHA"),
    ("RAJASTHAN", "ALWAR"),
    ("RAJASTHAN", "TONK"),
    ("JHARKHAND", "RANCHI"),
    ("JHARKHAND", "DUMKA"),
)

# (Latin, Devanagari, district): ten villages per district.
VILLAGES: tuple[tuple[str, str, str], ...] = (
    ("Kheri", "खेड़ी", "KHERI"), ("Mailani", "मैलानी", "KHERI"),
    ("Nighasan", "निघासन", "KHERI"), ("Palia", "पलिया", "KHERI"),
    ("Singahi", "सिंगाही", "KHERI"), ("Dhaurahra", "धौरहरा", "KHERI"),
    ("Bijua", "बिजुआ", "KHERI"), ("Rampur", "रामपुर", "KHERI"),
    ("Shivpur", "शिवपुर", "KHERI"), ("Barkhera", "बरखेड़ा", "KHERI"),
    ("Biswan", "बिसवां", "SITAPUR"), ("Laharpur", "लहरपुर", "SITAPUR"),
    ("Misrikh", "मिसरिख", "SITAPUR"), ("Sidhauli", "सिधौली", "SITAPUR"),
    ("Mahmudabad", "महमूदाबाद", "SITAPUR"), ("Kishanpur", "किशनपुर", "SITAPUR"),
    ("Madhopur", "माधोपुर", "SITAPUR"), ("Govindpur", "गोविंदपुर", "SITAPUR"),
    ("Nayagaon", "नयागांव", "SITAPUR"), ("Khera", "खेड़ा", "SITAPUR"),
    ("Nanpara", "नानपारा", "BAHRAICH"), ("Mihinpurwa", "मिहींपुरवा", "BAHRAICH"),
    ("Kaiserganj", "कैसरगंज", "BAHRAICH"), ("Payagpur", "पयागपुर", "BAHRAICH"),
    ("Jarwal", "जरवल", "BAHRAICH"), ("Chandpur", "चांदपुर", "BAHRAICH"),
    ("Rasulpur", "रसूलपुर", "BAHRAICH"), ("Nawabganj", "नवाबगंज", "BAHRAICH"),
    ("Bhagwanpur", "भगवानपुर", "BAHRAICH"), ("Jamalpur", "जमालपुर", "BAHRAICH"),
    ("Dariyabad", "दरियाबाद", "BARABANKI"), ("Haidergarh", "हैदरगढ़", "BARABANKI"),
    ("Ramsanehighat", "रामसनेहीघाट", "BARABANKI"), ("Siddhaur", "सिद्धौर", "BARABANKI"),
    ("Fatehpur", "फतेहपुर", "BARABANKI"), ("Dewa", "देवा", "BARABANKI"),
    ("Salempur", "सलेमपुर", "BARABANKI"), ("Akbarpur", "अकबरपुर", "BARABANKI"),
    ("Devipur", "देवीपुर", "BARABANKI"), ("Kamalpur", "कमालपुर", "BARABANKI"),
    ("Belaganj", "बेलागंज", "GAYA"), ("Tekari", "टेकारी", "GAYA"),
    ("Kurtha", "कुर्था", "GAYA"), ("Islampur", "इस्लामपुर", "GAYA"),
    ("Manpur", "मानपुर", "GAYA"), ("Dobhi", "डोभी", "GAYA"),
    ("Barachatti", "बाराचट्टी", "GAYA"), ("Paraiya", "परैया", "GAYA"),
    ("Khizarsarai", "खिजरसराय", "GAYA"), ("Atri", "अतरी", "GAYA"),
    ("Kanti", "कांटी", "MUZAFFARPUR"), ("Motipur", "मोतीपुर", "MUZAFFARPUR"),
    ("Minapur", "मीनापुर", "MUZAFFARPUR"), ("Aurai", "औराई", "MUZAFFARPUR"),
    ("Paroo", "पारू", "MUZAFFARPUR"), ("Sakra", "सकरा", "MUZAFFARPUR"),
    ("Saraiya", "सरैया", "MUZAFFARPUR"), ("Bochahan", "बोचहां", "MUZAFFARPUR"),
    ("Bishunpur", "बिशुनपुर", "MUZAFFARPUR"), ("Sonbarsa", "सोनबरसा", "MUZAFFARPUR"),
    ("Ichhawar", "इछावर", "SEHORE"), ("Ashta", "आष्टा", "SEHORE"),
    ("Nasrullaganj", "नसरुल्लागंज", "SEHORE"), ("Rehti", "रेहटी", "SEHORE"),
    ("Bhairunda", "भैरूंदा", "SEHORE"), ("Shyampur", "श्यामपुर", "SEHORE"),
    ("Pipariya", "पिपरिया", "SEHORE"), ("Imlia", "इमलिया", "SEHORE"),
    ("Semra", "सेमरा", "SEHORE"), ("Jamuniya", "जमुनिया", "SEHORE"),
    ("Gyaraspur", "ग्यारसपुर", "VIDISHA"), ("Sironj", "सिरोंज", "VIDISHA"),
    ("Lateri", "लटेरी", "VIDISHA"), ("Kurwai", "कुरवाई", "VIDISHA"),
    ("Nateran", "नटेरन", "VIDISHA"), ("Basoda", "बासौदा", "VIDISHA"),
    ("Majhgawan", "मझगवां", "VIDISHA"), ("Bamhni", "बम्हनी", "VIDISHA"),
    ("Khajuri", "खजुरी", "VIDISHA"), ("Naugawan", "नौगवां", "VIDISHA"),
    ("Thanagazi", "थानागाजी", "ALWAR"), ("Rajgarh", "राजगढ़", "ALWAR"),
    ("Malakhera", "मालाखेड़ा", "ALWAR"), ("Bansur", "बानसूर", "ALWAR"),
    ("Tijara", "तिजारा", "ALWAR"), ("Kishangarh Bas", "किशनगढ़ बास", "ALWAR"),
    ("Kathumar", "कठूमर", "ALWAR"), ("Lakshmangarh", "लक्ष्मणगढ़", "ALWAR"),
    ("Ramgarh", "रामगढ़", "ALWAR"), ("Gopalpur", "गोपालपुर", "ALWAR"),
    ("Uniara", "उनियारा", "TONK"), ("Todaraisingh", "टोडारायसिंह", "TONK"),
    ("Malpura", "मालपुरा", "TONK"), ("Deoli", "देवली", "TONK"),
    ("Peeplu", "पीपलू", "TONK"), ("Niwai", "निवाई", "TONK"),
    ("Aligarh", "अलीगढ़", "TONK"), ("Dooni", "दूनी", "TONK"),
    ("Nagarfort", "नगरफोर्ट", "TONK"), ("Lamba Hari Singh", "लांबा हरिसिंह", "TONK"),
    ("Kanke", "कांके", "RANCHI"), ("Ormanjhi", "ओरमांझी", "RANCHI"),
    ("Bundu", "बुंडू", "RANCHI"), ("Tamar", "तमाड़", "RANCHI"),
    ("Namkum", "नामकुम", "RANCHI"), ("Angara", "अनगड़ा", "RANCHI"),
    ("Mandar", "मांडर", "RANCHI"), ("Bero", "बेड़ो", "RANCHI"),
    ("Lapung", "लापुंग", "RANCHI"), ("Silli", "सिल्ली", "RANCHI"),
    ("Jarmundi", "जरमुंडी", "DUMKA"), ("Shikaripara", "शिकारीपाड़ा", "DUMKA"),
    ("Masalia", "मसलिया", "DUMKA"), ("Kathikund", "काठीकुंड", "DUMKA"),
    ("Gopikander", "गोपीकांदर", "DUMKA"), ("Ramgarh Dumka", "रामगढ़ दुमका", "DUMKA"),
    ("Jama", "जामा", "DUMKA"), ("Saraiyahat", "सरैयाहाट", "DUMKA"),
    ("Raneshwar", "रानेश्वर", "DUMKA"), ("Dumri", "डुमरी", "DUMKA"),
)  # fmt: skip

# Six-digit PIN code prefixes of each district's postal region (the last three digits vary).
PIN_PREFIXES: dict[str, str] = {
    "KHERI": "262",
    "SITAPUR": "261",
    "BAHRAICH": "271",
    "BARABANKI": "225",
    "GAYA": "824",
    "MUZAFFARPUR": "843",
    "SEHORE": "466",
    "VIDISHA": "464",
    "ALWAR": "301",
    "TONK": "304",
    "RANCHI": "835",
    "DUMKA": "814",
}

# -- visits -----------------------------------------------------------------------------------

# (chief complaint as a paramedic writes it, hub specialty key it is usually sent to)
COMPLAINTS: tuple[tuple[str, str], ...] = (
    ("Fever since 3 days", "general_medicine"),
    ("Fever with chills and body ache", "general_medicine"),
    ("Cough and cold since a week", "pulmonology"),
    ("Cough with sputum for more than 2 weeks", "pulmonology"),
    ("Breathlessness on walking", "pulmonology"),
    ("Wheezing at night", "pulmonology"),
    ("Chest pain since 2 days", "cardiology"),
    ("Palpitations", "cardiology"),
    ("Swelling of both feet", "cardiology"),
    ("High BP on screening, follow-up", "cardiology"),
    ("Headache and dizziness", "neurology"),
    ("Weakness of one side of body", "neurology"),
    ("Fits (seizure) yesterday", "neurology"),
    ("Tingling and numbness in feet", "endocrinology"),
    ("Known diabetic, sugar not controlled", "endocrinology"),
    ("Excessive thirst and frequent urination", "endocrinology"),
    ("Neck swelling (goitre)", "endocrinology"),
    ("Loose motions since 2 days", "general_medicine"),
    ("Vomiting and pain in abdomen", "general_medicine"),
    ("Burning while passing urine", "general_medicine"),
    ("Yellow eyes and urine", "general_medicine"),
    ("Weakness and tiredness, looks pale", "general_medicine"),
    ("Loss of appetite and weight loss", "general_medicine"),
    ("Itchy skin rash", "dermatology"),
    ("White patches on skin", "dermatology"),
    ("Wound not healing on foot", "surgery"),
    ("Lump in breast", "surgery"),
    ("Pain in knees and back", "orthopaedics"),
    ("Fall from tree, pain in wrist", "orthopaedics"),
    ("Ear pain and discharge", "ent"),
    ("Sore throat and difficulty swallowing", "ent"),
    ("Blurred vision", "ophthalmology"),
    ("Red, watering eyes", "ophthalmology"),
    ("Toothache and swollen gums", "dental"),
    ("Missed periods, pregnancy check-up", "obstetrics_gynaecology"),
    ("White discharge and lower abdominal pain", "obstetrics_gynaecology"),
    ("Heavy bleeding during periods", "obstetrics_gynaecology"),
    ("Child with fever and fast breathing", "paediatrics"),
    ("Child not gaining weight", "paediatrics"),
    ("Poor sleep and sadness for weeks", "psychiatry"),
)

# Each history with the youngest age it fits (a 12-year-old is no smoker of 20 years).
HISTORIES: tuple[tuple[int, str], ...] = (
    (0, "No known drug allergy. Not on regular medicines."),
    (0, "Took paracetamol from the village shop, no relief."),
    (0, "Family history of diabetes."),
    (0, "Third visit for the same problem."),
    (0, "Completed TB treatment 2 years ago."),
    (14, "No past illness. Works in the fields."),
    (18, "Similar episode last year. Tobacco chewer."),
    (25, "Known diabetic on metformin. No allergy."),
    (30, "Known hypertensive for 3 years, irregular with amlodipine."),
    (35, "Smoker (bidi) for 20 years."),
)

EXAMINATIONS: tuple[str, ...] = (
    "Conscious, oriented. No pallor, no icterus, no oedema.",
    "Pallor present. No oedema.",
    "Mild pedal oedema. Chest clear.",
    "Crepitations at the right base.",
    "Throat congested. Tonsils enlarged.",
    "Abdomen soft, tenderness in the epigastrium.",
    "Tenderness over the right wrist, no deformity.",
    "Dry skin, scaly itchy patches on both forearms.",
    "Looks unwell, dehydrated.",
    "General condition fair.",
)

# Devices a spoke may have; readings from them carry the id (seed data: parser "seed").
BP_DEVICES: tuple[str, ...] = ("omron-hem-7120:bp-1", "dr-morepen-bp02:bp-2")
OXIMETER_DEVICES: tuple[str, ...] = ("contec-cms50d:ox-1",)
