<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="hi_IN">
<context>
    <name>AddStaffDialog</name>
    <message>
        <location filename="../ui/users_page.py" line="778"/>
        <source>Add staff member</source>
        <translation>स्टाफ़ सदस्य जोड़ें</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="782"/>
        <source>The new member of staff signs in with this username and password. Tell them the password in person; they can change it later.</source>
        <translation>नया स्टाफ़ सदस्य इसी उपयोगकर्ता नाम और पासवर्ड से साइन इन करेगा। पासवर्ड उन्हें खुद मिलकर बताएँ; वे इसे बाद में बदल सकते हैं।</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="790"/>
        <source>e.g. asha.devi</source>
        <translation>जैसे: asha.devi</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="796"/>
        <source>at least 8 characters</source>
        <translation>कम से कम 8 अक्षर</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="799"/>
        <source>Full &amp;name:</source>
        <translation>पूरा नाम (&amp;N):</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="800"/>
        <source>&amp;Username:</source>
        <translation>उपयोगकर्ता नाम (&amp;U):</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="801"/>
        <source>&amp;Role:</source>
        <translation>भूमिका (&amp;R):</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="802"/>
        <source>&amp;Password:</source>
        <translation>पासवर्ड (&amp;P):</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="803"/>
        <source>&amp;Confirm password:</source>
        <translation>पासवर्ड दोबारा लिखें (&amp;C):</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="804"/>
        <source>&amp;Add account</source>
        <translation>खाता जोड़ें (&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="824"/>
        <source>Enter the person&apos;s full name.</source>
        <translation>व्यक्ति का पूरा नाम लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="827"/>
        <source>Choose a username.</source>
        <translation>एक उपयोगकर्ता नाम चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="830"/>
        <source>Type a first password for them.</source>
        <translation>उनके लिए पहला पासवर्ड लिखें।</translation>
    </message>
</context>
<context>
    <name>BackupDialog</name>
    <message>
        <location filename="../ui/backup_dialog.py" line="50"/>
        <source>Choose where to write the backup (a USB drive)</source>
        <translation>चुनें कि बैकअप कहाँ लिखा जाए (USB ड्राइव)</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="67"/>
        <location filename="../ui/backup_dialog.py" line="75"/>
        <source>Back up this PC&apos;s clinic data</source>
        <translation>इस पीसी के क्लिनिक डेटा का बैकअप लें</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="78"/>
        <source>The backup is one encrypted file with every patient, case, attachment and staff key of this PC. It opens only with a staff password that opens this PC today, or with its recovery key. Keep the drive locked away.</source>
        <translation>बैकअप एक एन्क्रिप्टेड फ़ाइल है, जिसमें इस पीसी के सभी मरीज़, केस, जोड़ी गई फ़ाइलें और स्टाफ़ कुंजियाँ होती हैं। यह केवल ऐसे स्टाफ़ पासवर्ड से खुलता है जिससे आज यह पीसी खुलता है, या इस पीसी की रिकवरी की से। ड्राइव को ताले में सँभालकर रखें।</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="83"/>
        <source>No folder chosen yet.</source>
        <translation>अभी कोई फ़ोल्डर नहीं चुना गया।</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="85"/>
        <source>Choose a &amp;folder…</source>
        <translation>फ़ोल्डर चुनें (&amp;F)…</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="91"/>
        <source>Backup progress</source>
        <translation>बैकअप की प्रगति</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="98"/>
        <source>Problem</source>
        <translation>समस्या</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="101"/>
        <source>&amp;Back up</source>
        <translation>बैकअप लें (&amp;B)</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="106"/>
        <source>&amp;Cancel</source>
        <translation>रद्द करें (&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="110"/>
        <source>C&amp;lose</source>
        <translation>बंद करें (&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="154"/>
        <source>Write it to: %1</source>
        <translation>बैकअप यहाँ लिखा जाएगा: %1</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="169"/>
        <location filename="../ui/backup_dialog.py" line="201"/>
        <source>Copying the database…</source>
        <translation>डेटाबेस कॉपी हो रहा है…</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="204"/>
        <source>Writing the files: %1 of %2</source>
        <translation>फ़ाइलें लिखी जा रही हैं: %2 में से %1</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="215"/>
        <source>Cancelling…</source>
        <translation>रद्द हो रहा है…</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="230"/>
        <source>Backup written: %1 (%2 MB) in %3.</source>
        <translation>बैकअप लिखा गया: %1 (%2 MB), %3 में।</translation>
    </message>
    <message>
        <location filename="../ui/backup_dialog.py" line="249"/>
        <source>Cancelled: nothing was written.</source>
        <translation>रद्द किया गया: कुछ भी नहीं लिखा गया।</translation>
    </message>
</context>
<context>
    <name>BackupScheduleBox</name>
    <message>
        <location filename="../ui/backup_schedule_box.py" line="175"/>
        <source>off</source>
        <translation>बंद</translation>
    </message>
    <message>
        <location filename="../ui/backup_schedule_box.py" line="178"/>
        <source>Days between scheduled backups (0: off)</source>
        <translation>निर्धारित बैकअप के बीच के दिन (0: बंद)</translation>
    </message>
    <message>
        <location filename="../ui/backup_schedule_box.py" line="179"/>
        <source>Back up e&amp;very</source>
        <translation>हर (&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/backup_schedule_box.py" line="187"/>
        <source>How many backups to keep in the folder</source>
        <translation>फ़ोल्डर में कितने बैकअप रखे जाएँ</translation>
    </message>
    <message>
        <location filename="../ui/backup_schedule_box.py" line="188"/>
        <source>day(s); kee&amp;p the newest</source>
        <translation>दिन में बैकअप लें; सबसे नए इतने रखें (&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/backup_schedule_box.py" line="190"/>
        <source>Choose the backup &amp;folder…</source>
        <translation>बैकअप फ़ोल्डर चुनें (&amp;F)…</translation>
    </message>
    <message>
        <location filename="../ui/backup_schedule_box.py" line="193"/>
        <location filename="../ui/backup_schedule_box.py" line="254"/>
        <source>No folder chosen yet.</source>
        <translation>अभी कोई फ़ोल्डर नहीं चुना गया।</translation>
    </message>
    <message>
        <location filename="../ui/backup_schedule_box.py" line="195"/>
        <source>Save the sc&amp;hedule</source>
        <translation>समय-सारणी सहेजें (&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/backup_schedule_box.py" line="214"/>
        <source>Problem</source>
        <translation>समस्या</translation>
    </message>
    <message>
        <location filename="../ui/backup_schedule_box.py" line="256"/>
        <source>Backups go to: %1</source>
        <translation>बैकअप यहाँ जाते हैं: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/backup_schedule_box.py" line="306"/>
        <source>Saved: a backup every %n day(s).</source>
        <translation>
            <numerusform>सहेजा गया: हर %n दिन में एक बैकअप।</numerusform>
            <numerusform>सहेजा गया: हर %n दिन में एक बैकअप।</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/backup_schedule_box.py" line="308"/>
        <source>Saved: scheduled backups are off.</source>
        <translation>सहेजा गया: निर्धारित बैकअप बंद हैं।</translation>
    </message>
</context>
<context>
    <name>CaseForm</name>
    <message>
        <location filename="../ui/case_form.py" line="59"/>
        <source>Self</source>
        <translation>स्वयं</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="60"/>
        <source>Mother</source>
        <translation>माँ</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="61"/>
        <source>Father</source>
        <translation>पिता</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="62"/>
        <source>Husband</source>
        <translation>पति</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="63"/>
        <source>Wife</source>
        <translation>पत्नी</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="64"/>
        <source>Son</source>
        <translation>बेटा</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="65"/>
        <source>Daughter</source>
        <translation>बेटी</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="66"/>
        <source>Guardian</source>
        <translation>अभिभावक</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="69"/>
        <source>Verbal</source>
        <translation>मौखिक</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="70"/>
        <source>Written</source>
        <translation>लिखित</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="71"/>
        <source>Thumbprint</source>
        <translation>अंगूठे का निशान</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="74"/>
        <source>Alert</source>
        <translation>सचेत (होश में)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="75"/>
        <source>New confusion</source>
        <translation>नई उलझन / भ्रम</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="76"/>
        <source>Responds to voice</source>
        <translation>आवाज़ पर प्रतिक्रिया</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="77"/>
        <source>Responds to pain</source>
        <translation>दर्द पर प्रतिक्रिया</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="78"/>
        <source>Unresponsive</source>
        <translation>कोई प्रतिक्रिया नहीं</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="81"/>
        <source>General medicine</source>
        <translation>सामान्य चिकित्सा (जनरल मेडिसिन)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="82"/>
        <source>Cardiology</source>
        <translation>हृदय रोग (कार्डियोलॉजी)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="83"/>
        <source>Dermatology</source>
        <translation>त्वचा रोग (डर्मेटोलॉजी)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="84"/>
        <source>Paediatrics</source>
        <translation>बाल रोग (पीडियाट्रिक्स)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="85"/>
        <source>Obstetrics and gynaecology</source>
        <translation>प्रसूति एवं स्त्री रोग</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="86"/>
        <source>Ophthalmology</source>
        <translation>नेत्र रोग</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="87"/>
        <source>ENT</source>
        <translation>नाक-कान-गला (ENT)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="88"/>
        <source>Orthopaedics</source>
        <translation>हड्डी रोग (ऑर्थोपेडिक्स)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="89"/>
        <source>Psychiatry</source>
        <translation>मानसिक रोग (साइकियाट्री)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="90"/>
        <source>Pulmonology</source>
        <translation>फेफड़े के रोग (पल्मोनोलॉजी)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="91"/>
        <source>Endocrinology</source>
        <translation>हार्मोन रोग (एंडोक्राइनोलॉजी)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="92"/>
        <source>Neurology</source>
        <translation>तंत्रिका रोग (न्यूरोलॉजी)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="93"/>
        <source>Surgery</source>
        <translation>सर्जरी (शल्य चिकित्सा)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="94"/>
        <source>Dental</source>
        <translation>दंत रोग (डेंटल)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="97"/>
        <source>low risk</source>
        <translation>कम जोखिम</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="98"/>
        <source>low–medium risk: one sign scores 3</source>
        <translation>कम–मध्यम जोखिम: एक संकेत का स्कोर 3 है</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="99"/>
        <source>medium risk</source>
        <translation>मध्यम जोखिम</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="100"/>
        <source>high risk</source>
        <translation>उच्च जोखिम</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="161"/>
        <source>&amp;Patient record</source>
        <translation>मरीज़ का रिकॉर्ड (&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="195"/>
        <source>1. Consent</source>
        <translation>1. सहमति</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="206"/>
        <source>Record &amp;consent</source>
        <translation>सहमति दर्ज करें (&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="215"/>
        <source>Consent &amp;given by:</source>
        <translation>सहमति किसने दी (&amp;G):</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="216"/>
        <source>Re&amp;lationship:</source>
        <translation>संबंध (&amp;L):</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="217"/>
        <source>&amp;Method:</source>
        <translation>तरीका (&amp;M):</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="218"/>
        <source>&amp;Witness:</source>
        <translation>गवाह (&amp;W):</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="225"/>
        <source>2. Complaint, history and examination</source>
        <translation>2. शिकायत, इतिहास और शारीरिक जाँच</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="228"/>
        <source>e.g. chest pain since 2 days</source>
        <translation>जैसे: 2 दिन से सीने में दर्द</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="232"/>
        <source>C&amp;hief complaint:</source>
        <translation>मुख्य शिकायत (&amp;H):</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="233"/>
        <source>Histor&amp;y:</source>
        <translation>इतिहास (&amp;Y):</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="234"/>
        <source>E&amp;xamination:</source>
        <translation>शारीरिक जाँच (&amp;X):</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="237"/>
        <source>3. Vital signs</source>
        <translation>3. जीवन संकेत (वाइटल्स)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="247"/>
        <source>On o&amp;xygen</source>
        <translation>ऑक्सीजन पर (&amp;X)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="259"/>
        <source>Co&amp;nsciousness (ACVPU):</source>
        <translation>होश का स्तर (ACVPU) (&amp;N):</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="274"/>
        <source>4. Photos and reports</source>
        <translation>4. फ़ोटो और रिपोर्ट</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="280"/>
        <source>&amp;Attach photo or report…</source>
        <translation>फ़ोटो या रिपोर्ट जोड़ें (&amp;A)…</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="286"/>
        <source>Nothing attached yet.</source>
        <translation>अभी कुछ नहीं जोड़ा गया।</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="298"/>
        <source>5. Send to the hub</source>
        <translation>5. हब को भेजें</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="301"/>
        <source>— choose specialty —</source>
        <translation>— विशेषज्ञता चुनें —</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="309"/>
        <source>Before this case can be queued:</source>
        <translation>इस केस को कतार में डालने से पहले:</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="314"/>
        <source>&amp;Queue to hub</source>
        <translation>हब को भेजें (कतार में) (&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="322"/>
        <source>&amp;Specialty:</source>
        <translation>विशेषज्ञता (&amp;S):</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="326"/>
        <source>P&amp;riority:</source>
        <translation>प्राथमिकता (&amp;R):</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="424"/>
        <source>Case: %1</source>
        <translation>केस: %1</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="425"/>
        <source>Case</source>
        <translation>केस</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="564"/>
        <source>Not recorded yet.</source>
        <translation>अभी दर्ज नहीं किया गया।</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="573"/>
        <source>✓ Recorded at %1: %2 consent from %3 (%4), witnessed by %5.</source>
        <translation>✓ %1 पर दर्ज: %3 (%4) की %2 सहमति, गवाह: %5।</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="581"/>
        <source>Update &amp;consent</source>
        <translation>सहमति अपडेट करें (&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="594"/>
        <source>⚠ Enter who gave consent and who witnessed it.</source>
        <translation>⚠ लिखें कि सहमति किसने दी और गवाह कौन है।</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="630"/>
        <source>Editing…</source>
        <translation>बदलाव हो रहे हैं…</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="676"/>
        <source>Saved %1</source>
        <translation>%1 पर सहेजा गया</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="691"/>
        <source>⚠ Not saved: %1</source>
        <translation>⚠ सहेजा नहीं गया: %1</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="706"/>
        <source>NEWS2 does not apply under 16 years of age.</source>
        <translation>16 वर्ष से कम उम्र में NEWS2 लागू नहीं होता।</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="712"/>
        <source>NEWS2 %1 — %2</source>
        <translation>NEWS2 %1 — %2</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="716"/>
        <source>Not yet measured (counted as 0): %1</source>
        <translation>अभी नहीं मापा गया (0 गिना गया): %1</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="725"/>
        <source>⚠ Urgent teleconsultation: NEWS2 %1. Queue this case as urgent and call the hub if the patient gets worse.</source>
        <translation>⚠ अत्यावश्यक टेली-परामर्श: NEWS2 %1। इस केस को अत्यावश्यक के रूप में कतार में डालें, और मरीज़ की हालत बिगड़े तो हब को फ़ोन करें।</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="729"/>
        <source>NEWS2 is urgent: priority is at least urgent.</source>
        <translation>NEWS2 अत्यावश्यक है: प्राथमिकता कम से कम “अत्यावश्यक” होगी।</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="748"/>
        <source>%1 KB</source>
        <translation>%1 KB</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="767"/>
        <source>Attach photo or report</source>
        <translation>फ़ोटो या रिपोर्ट जोड़ें</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="769"/>
        <source>Photos and reports (*.jpg *.jpeg *.png *.webp *.pdf);;All files (*)</source>
        <translation>फ़ोटो और रिपोर्ट (*.jpg *.jpeg *.png *.webp *.pdf);;सभी फ़ाइलें (*)</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="779"/>
        <source>Preparing %1…</source>
        <translation>%1 तैयार किया जा रहा है…</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="812"/>
        <source>Before this case can be queued (Enter on a line goes there):</source>
        <translation>इस केस को कतार में डालने से पहले (किसी पंक्ति पर Enter दबाकर वहाँ पहुँचें):</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="814"/>
        <source>✓ Ready to queue.</source>
        <translation>✓ कतार में डालने के लिए तैयार।</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="865"/>
        <source>Case queued to %1 — it will be sent when the network is back.</source>
        <translation>केस %1 के लिए कतार में डाल दिया गया — नेटवर्क आने पर यह भेज दिया जाएगा।</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="875"/>
        <source>⚠ Not queued yet: see the list above.</source>
        <translation>⚠ अभी कतार में नहीं डाला गया: ऊपर दी गई सूची देखें।</translation>
    </message>
    <message>
        <location filename="../ui/case_form.py" line="917"/>
        <source>%1 · %2, %3</source>
        <translation>%1 · %2, %3</translation>
    </message>
</context>
<context>
    <name>CaseTableModel</name>
    <message>
        <location filename="../ui/models/case_table.py" line="26"/>
        <source>Status</source>
        <translation>स्थिति</translation>
    </message>
    <message>
        <location filename="../ui/models/case_table.py" line="27"/>
        <source>Priority</source>
        <translation>प्राथमिकता</translation>
    </message>
    <message>
        <location filename="../ui/models/case_table.py" line="28"/>
        <source>Patient</source>
        <translation>मरीज़</translation>
    </message>
    <message>
        <location filename="../ui/models/case_table.py" line="29"/>
        <source>Chief complaint</source>
        <translation>मुख्य शिकायत</translation>
    </message>
    <message>
        <location filename="../ui/models/case_table.py" line="30"/>
        <source>Specialty</source>
        <translation>विशेषज्ञता</translation>
    </message>
    <message>
        <location filename="../ui/models/case_table.py" line="31"/>
        <source>NEWS2</source>
        <translation>NEWS2</translation>
    </message>
    <message>
        <location filename="../ui/models/case_table.py" line="32"/>
        <source>Updated</source>
        <translation>अपडेट</translation>
    </message>
</context>
<context>
    <name>CasesPage</name>
    <message>
        <location filename="../ui/cases_page.py" line="54"/>
        <location filename="../ui/cases_page.py" line="102"/>
        <source>Cases &amp;&amp; queue</source>
        <translation>केस और कतार</translation>
    </message>
    <message>
        <location filename="../ui/cases_page.py" line="55"/>
        <source>Re&amp;fresh</source>
        <translation>रीफ़्रेश करें (&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/cases_page.py" line="65"/>
        <source>No unfinished cases.</source>
        <translation>कोई अधूरा केस नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/cases_page.py" line="67"/>
        <source>Nothing queued for the hub.</source>
        <translation>हब के लिए कतार में कुछ नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/cases_page.py" line="70"/>
        <source>&amp;Drafts (not yet sent)</source>
        <translation>ड्राफ़्ट (अभी भेजे नहीं गए) (&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/cases_page.py" line="74"/>
        <source>&amp;Queue and sent cases</source>
        <translation>कतार और भेजे गए केस (&amp;Q)</translation>
    </message>
</context>
<context>
    <name>DeviceReadings</name>
    <message>
        <location filename="../ui/device_readings.py" line="44"/>
        <source>Clip the oximeter on a finger and wait for a steady reading.</source>
        <translation>ऑक्सीमीटर को उँगली पर लगाएँ और रीडिंग स्थिर होने तक रुकें।</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="47"/>
        <source>Ask the patient to step on the scale and stand still.</source>
        <translation>मरीज़ से वज़न मशीन पर चढ़कर स्थिर खड़े रहने को कहें।</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="50"/>
        <source>The monitor sends its readings by itself.</source>
        <translation>मॉनिटर अपनी रीडिंग अपने-आप भेजता है।</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="53"/>
        <source>Start the measurement on the device.</source>
        <translation>उपकरण पर माप शुरू करें।</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="57"/>
        <source>Put the cuff on the upper arm and press Start on the monitor.</source>
        <translation>कफ़ को बाँह के ऊपरी हिस्से पर लगाएँ और मॉनिटर पर Start दबाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="60"/>
        <source>Take the temperature; the reading comes by itself.</source>
        <translation>तापमान लें; रीडिंग अपने-आप आ जाएगी।</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="65"/>
        <source>Test the blood sugar on the glucometer; the result comes by itself.</source>
        <translation>ग्लूकोमीटर पर ब्लड शुगर जाँचें; नतीजा अपने-आप आ जाएगा।</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="70"/>
        <source>ready</source>
        <translation>तैयार</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="71"/>
        <source>connecting…</source>
        <translation>जुड़ रहा है…</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="72"/>
        <source>not connected</source>
        <translation>जुड़ा नहीं है</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="73"/>
        <source>problem</source>
        <translation>समस्या</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="108"/>
        <source>From %1 at %2</source>
        <translation>%1 से, %2 पर</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="109"/>
        <source>a device</source>
        <translation>एक उपकरण</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="121"/>
        <source>Measured earlier by the device&apos;s clock (%1): check it is this patient&apos;s.</source>
        <translation>उपकरण की घड़ी के अनुसार पहले मापा गया (%1): जाँच लें कि यह इसी मरीज़ का है।</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="131"/>
        <source>&amp;Keep</source>
        <translation>रखें (&amp;K)</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="133"/>
        <source>Store these values in the case, marked as from the device</source>
        <translation>ये मान केस में सहेजें, उपकरण से आए के रूप में चिह्नित</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="137"/>
        <source>D&amp;iscard</source>
        <translation>छोड़ें (&amp;I)</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="179"/>
        <source>From devices</source>
        <translation>उपकरणों से</translation>
    </message>
    <message>
        <location filename="../ui/device_readings.py" line="229"/>
        <source>Measuring: %1</source>
        <translation>माप जारी: %1</translation>
    </message>
</context>
<context>
    <name>DevicesPage</name>
    <message>
        <location filename="../ui/devices_page.py" line="78"/>
        <source>Name</source>
        <translation>नाम</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="79"/>
        <source>Kind</source>
        <translation>प्रकार</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="80"/>
        <source>Connection</source>
        <translation>कनेक्शन</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="81"/>
        <source>Last reading</source>
        <translation>पिछली रीडिंग</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="82"/>
        <source>Latest problem</source>
        <translation>नवीनतम समस्या</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="83"/>
        <source>Address</source>
        <translation>पता</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="87"/>
        <source>Connected</source>
        <translation>जुड़ा है</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="88"/>
        <source>Connecting…</source>
        <translation>जुड़ रहा है…</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="89"/>
        <source>Not connected</source>
        <translation>जुड़ा नहीं है</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="90"/>
        <source>Problem</source>
        <translation>समस्या</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="93"/>
        <source>Listening</source>
        <translation>सुन रहा है</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="123"/>
        <source>Problem: %1</source>
        <translation>समस्या: %1</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="235"/>
        <source>measuring now (%1)</source>
        <translation>अभी माप रहा है (%1)</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="313"/>
        <location filename="../ui/devices_page.py" line="428"/>
        <source>Devices</source>
        <translation>उपकरण</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="316"/>
        <source>The BP monitors, oximeters, scales, thermometers, glucometers and bedside monitors paired with this PC. Pair each one once; its readings then reach the case form by themselves.</source>
        <translation>इस कंप्यूटर से पेयर किए गए BP मॉनिटर, ऑक्सीमीटर, वज़न मशीन, थर्मामीटर, ग्लूकोमीटर और बेडसाइड मॉनिटर। हर उपकरण को एक बार पेयर करें; फिर उसकी रीडिंग अपने-आप केस फ़ॉर्म में पहुँचेगी।</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="322"/>
        <source>The devices paired with this PC and whether they are ready. Their readings appear in the case form, where you keep or discard them.</source>
        <translation>इस कंप्यूटर से पेयर किए गए उपकरण, और वे तैयार हैं या नहीं। उनकी रीडिंग केस फ़ॉर्म में दिखती है, जहाँ आप उसे रख या छोड़ सकते हैं।</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="334"/>
        <source>&amp;Pair a device…</source>
        <translation>उपकरण पेयर करें (&amp;P)…</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="338"/>
        <source>Re&amp;name…</source>
        <translation>नाम बदलें (&amp;N)…</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="341"/>
        <source>&amp;Forget</source>
        <translation>हटाएँ (&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="355"/>
        <source>Paired devices</source>
        <translation>पेयर किए गए उपकरण</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="378"/>
        <source>A device showing “Problem” says why in its Connection column. A cable moved to another USB socket gets a new port: forget the device and pair it again.</source>
        <translation>जिस उपकरण पर “समस्या” दिखे, उसका कारण कनेक्शन कॉलम में लिखा होता है। केबल दूसरे USB सॉकेट में लगाने पर उसे नया पोर्ट मिलता है: उपकरण को हटाएँ और दोबारा पेयर करें।</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="383"/>
        <source>If a device shows “Problem” or stays “Not connected”: check that it is switched on and its batteries are charged, and that its cable is plugged in firmly; it reconnects by itself. If the problem stays, ask field IT to pair it again. Until then, type the readings into the case form.</source>
        <translation>अगर किसी उपकरण पर “समस्या” दिखे या वह “जुड़ा नहीं है” ही रहे: जाँचें कि वह चालू है, उसकी बैटरी चार्ज है और उसकी केबल ठीक से लगी है; वह अपने-आप फिर जुड़ जाएगा। समस्या बनी रहे, तो फ़ील्ड आईटी से इसे दोबारा पेयर करवाएँ। तब तक रीडिंग केस फ़ॉर्म में खुद लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="593"/>
        <source>No devices are paired with this PC yet. Choose “Pair a device…” to add the clinic&apos;s BP monitor, oximeter, scale, thermometer, glucometer or bedside monitor.</source>
        <translation>इस कंप्यूटर से अभी कोई उपकरण पेयर नहीं है। क्लिनिक का BP मॉनिटर, ऑक्सीमीटर, वज़न मशीन, थर्मामीटर, ग्लूकोमीटर या बेडसाइड मॉनिटर जोड़ने के लिए “उपकरण पेयर करें…” चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="599"/>
        <source>No devices are paired with this PC yet. Field IT (an administrator account) pairs them on this page. Until then, type the readings into the case form.</source>
        <translation>इस कंप्यूटर से अभी कोई उपकरण पेयर नहीं है। फ़ील्ड आईटी (व्यवस्थापक खाता) इन्हें इसी पेज पर पेयर करता है। तब तक रीडिंग केस फ़ॉर्म में खुद लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="617"/>
        <source>Connection: %1</source>
        <translation>कनेक्शन: %1</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="624"/>
        <source>Last reading: %1</source>
        <translation>पिछली रीडिंग: %1</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="627"/>
        <source>Latest problem: %1</source>
        <translation>नवीनतम समस्या: %1</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="669"/>
        <source>%1 is paired. Its state shows in the table.</source>
        <translation>%1 पेयर हो गया। इसकी स्थिति तालिका में दिखती है।</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="675"/>
        <source>The device is now called %1.</source>
        <translation>उपकरण का नाम अब %1 है।</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="686"/>
        <source>Forget device</source>
        <translation>उपकरण हटाएँ</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="687"/>
        <source>Forget “%1”?</source>
        <translation>“%1” को हटाएँ?</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="690"/>
        <source>This PC stops reading it. Readings already kept in cases stay. To use it again, pair it again.</source>
        <translation>यह कंप्यूटर इससे रीडिंग लेना बंद कर देगा। केस में पहले से रखी गई रीडिंग बनी रहेंगी। इसे फिर इस्तेमाल करने के लिए दोबारा पेयर करें।</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="694"/>
        <source>&amp;Forget device</source>
        <translation>उपकरण हटाएँ (&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="696"/>
        <source>Cancel</source>
        <translation>रद्द करें</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="724"/>
        <source>%1 is forgotten. Pair it again to use it.</source>
        <translation>%1 हटा दिया गया। इस्तेमाल के लिए दोबारा पेयर करें।</translation>
    </message>
</context>
<context>
    <name>DiagnosticsDialog</name>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="56"/>
        <source>✔ OK</source>
        <translation>✔ OK</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="57"/>
        <source>⚠ Warning</source>
        <translation>⚠ चेतावनी</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="58"/>
        <source>✖ Problem</source>
        <translation>✖ समस्या</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="59"/>
        <source>? Not checked</source>
        <translation>? जाँचा नहीं गया</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="62"/>
        <source>Everything checked is fine.</source>
        <translation>जाँची गई हर चीज़ ठीक है।</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="63"/>
        <source>Some things need attention: see the warnings below.</source>
        <translation>कुछ चीज़ों पर ध्यान देना ज़रूरी है: नीचे दी गई चेतावनियाँ देखें।</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="66"/>
        <source>There is a problem to fix: see the problems below.</source>
        <translation>एक समस्या ठीक करनी है: नीचे दी गई समस्याएँ देखें।</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="71"/>
        <source>Data folder and disk space</source>
        <translation>डेटा फ़ोल्डर और डिस्क में जगह</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="72"/>
        <source>Clinic database</source>
        <translation>क्लिनिक का डेटाबेस</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="73"/>
        <source>Encryption at rest</source>
        <translation>सहेजे गए डेटा का एन्क्रिप्शन</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="74"/>
        <source>Enrolment with the hub</source>
        <translation>हब से नामांकन</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="75"/>
        <source>Hub connection and certificate</source>
        <translation>हब कनेक्शन और प्रमाणपत्र</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="76"/>
        <source>Clock</source>
        <translation>घड़ी</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="77"/>
        <source>Sync backlog</source>
        <translation>सिंक के लिए बाकी</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="78"/>
        <source>Scheduled backups</source>
        <translation>निर्धारित बैकअप</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="79"/>
        <source>Device ports and paired devices</source>
        <translation>उपकरण पोर्ट और पेयर किए गए उपकरण</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="80"/>
        <source>Versions</source>
        <translation>संस्करण</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="81"/>
        <source>Updates</source>
        <translation>अपडेट</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="95"/>
        <source>Save support bundle</source>
        <translation>सपोर्ट बंडल सहेजें</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="97"/>
        <source>Zip files (*.zip)</source>
        <translation>ज़िप फ़ाइलें (*.zip)</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="122"/>
        <location filename="../ui/diagnostics_dialog.py" line="131"/>
        <source>Diagnostics</source>
        <translation>सिस्टम जाँच</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="132"/>
        <source>Checking…</source>
        <translation>जाँच हो रही है…</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="137"/>
        <source>Result</source>
        <translation>नतीजा</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="137"/>
        <source>Check</source>
        <translation>जाँच</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="137"/>
        <source>What was found, and what to do</source>
        <translation>क्या मिला, और क्या करें</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="139"/>
        <source>Diagnostics results</source>
        <translation>सिस्टम जाँच के नतीजे</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="151"/>
        <source>&amp;Run again</source>
        <translation>फिर से चलाएँ (&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="154"/>
        <source>&amp;Save support bundle…</source>
        <translation>सपोर्ट बंडल सहेजें (&amp;S)…</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="158"/>
        <source>A zip file for support: these results, the logs and the settings that are not secret. No patient data, no keys.</source>
        <translation>सहायता के लिए एक zip फ़ाइल: ये नतीजे, लॉग और वे सेटिंग्स जो गोपनीय नहीं हैं। इसमें न मरीज़ों का डेटा है, न कुंजियाँ।</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="163"/>
        <source>Close</source>
        <translation>बंद करें</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="196"/>
        <source>Checking… (a few seconds; longer only when the hub cannot be reached)</source>
        <translation>जाँच हो रही है… (कुछ सेकंड; ज़्यादा समय तभी लगेगा जब हब तक न पहुँचा जा सके)</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="213"/>
        <source>The checks could not run. Try again.</source>
        <translation>जाँच नहीं चल सकी। फिर से कोशिश करें।</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="221"/>
        <source>What to do:</source>
        <translation>क्या करें:</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="260"/>
        <source>Writing the support bundle…</source>
        <translation>सपोर्ट बंडल लिखा जा रहा है…</translation>
    </message>
    <message>
        <location filename="../ui/diagnostics_dialog.py" line="270"/>
        <source>Support bundle saved: %1 (no patient data, no keys).</source>
        <translation>सपोर्ट बंडल सहेजा गया: %1 (इसमें न मरीज़ों का डेटा है, न कुंजियाँ)।</translation>
    </message>
</context>
<context>
    <name>DispenseDialog</name>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="615"/>
        <source>Record dispensing</source>
        <translation>दवा देना दर्ज करें</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="626"/>
        <source>Medicine</source>
        <translation>दवा</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="626"/>
        <source>Status</source>
        <translation>स्थिति</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="626"/>
        <source>Quantity</source>
        <translation>मात्रा</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="626"/>
        <source>Note</source>
        <translation>टिप्पणी</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="634"/>
        <source>%1 — prescribed %2 %3</source>
        <translation>%1 — लिखी गई मात्रा %2 %3</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="642"/>
        <source>Status of %1</source>
        <translation>%1 की स्थिति</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="646"/>
        <source>Quantity of %1</source>
        <translation>%1 की मात्रा</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="648"/>
        <source>Note on %1</source>
        <translation>%1 पर टिप्पणी</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="677"/>
        <source>Partly dispensed leaves the item open for the rest; the other choices settle it. The quantity is what was handed over.</source>
        <translation>&quot;आंशिक रूप से दी गई&quot; चुनने पर बाकी दवा के लिए यह मद खुला रहता है; बाकी विकल्प इसे पूरा कर देते हैं। मात्रा वह है जो मरीज़ को दी गई।</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="686"/>
        <source>&amp;Save</source>
        <translation>सहेजें (&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="687"/>
        <source>Cancel</source>
        <translation>रद्द करें</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <location filename="../ui/enrol_dialog.py" line="121"/>
        <source>An enrolment token starts with the hub&apos;s address, then “/” and 11 groups of four letters and digits, like hub.example.org:8765/K7QM-2XPD-…</source>
        <translation>नामांकन टोकन हब के पते से शुरू होता है, फिर “/” और चार-चार अक्षरों व अंकों के 11 समूह आते हैं, जैसे hub.example.org:8765/K7QM-2XPD-…</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="127"/>
        <source>The start of the token, before “/”, must be the hub&apos;s address: HOST:PORT.</source>
        <translation>टोकन की शुरुआत, “/” से पहले, हब का पता होनी चाहिए: HOST:PORT।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="132"/>
        <source>The port in the hub&apos;s address (%1) must be between 1 and 65535.</source>
        <translation>हब के पते में पोर्ट (%1) 1 से 65535 के बीच होना चाहिए।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="137"/>
        <source>The token is not complete: %1 of the %2 letters and digits after the address so far.</source>
        <translation>टोकन अभी पूरा नहीं है: पते के बाद के %2 अक्षरों और अंकों में से अभी तक %1।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="143"/>
        <source>The token has %1 letters and digits after the address; it needs exactly %2. Copy it again, or check for extra characters.</source>
        <translation>टोकन में पते के बाद %1 अक्षर और अंक हैं; ठीक %2 होने चाहिए। इसे फिर से कॉपी करें, या फ़ालतू अक्षर जाँचें।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="150"/>
        <source>The token cannot contain %1. Check those characters against the printed token.</source>
        <translation>टोकन में %1 नहीं हो सकते। इन अक्षरों को छपे हुए टोकन से मिलाकर देखें।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="155"/>
        <source>The token is mistyped: its last group does not match the rest. Check each letter and digit against the printed token.</source>
        <translation>टोकन गलत टाइप हुआ है: उसका आख़िरी समूह बाकी से मेल नहीं खाता। हर अक्षर और अंक को छपे हुए टोकन से मिलाकर देखें।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="160"/>
        <source>This is not a complete enrolment token (%1).</source>
        <translation>यह पूरा नामांकन टोकन नहीं है (%1)।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="172"/>
        <source>Write the hub&apos;s address as https://HOST:PORT, for example https://hub.example.org:8765.</source>
        <translation>हब का पता https://HOST:PORT के रूप में लिखें, जैसे https://hub.example.org:8765।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="188"/>
        <source>The enrolment token in the provisioning file was not used: %1 Ask field IT for a new provisioning file, or enrol this PC on the Sync page.</source>
        <translation>प्रोविज़निंग फ़ाइल में दिया नामांकन टोकन इस्तेमाल नहीं हुआ: %1 फ़ील्ड आईटी से नई प्रोविज़निंग फ़ाइल माँगें, या सिंक पेज पर इस पीसी को नामांकित करें।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="201"/>
        <source>Enrolling with the hub at %1 (the token the installer left). Sending starts once the hub answers; the Sync page shows how it goes.</source>
        <translation>%1 वाले हब से नामांकन हो रहा है (इंस्टॉलर का छोड़ा हुआ टोकन)। हब के जवाब देते ही भेजना शुरू हो जाएगा; सिंक पेज पर दिखता है कि काम कैसा चल रहा है।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="212"/>
        <source>Provisioning file</source>
        <translation>प्रोविज़निंग फ़ाइल</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="215"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="239"/>
        <source>Enrol this PC with a hub</source>
        <translation>इस कंप्यूटर को हब से नामांकित करें</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="239"/>
        <source>Move this PC to another hub</source>
        <translation>इस पीसी को दूसरे हब पर ले जाएँ</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="254"/>
        <source>Paste or type the enrolment token the hub printed for this clinic. Capital or small letters, spaces and dashes do not matter. Each token works once.</source>
        <translation>हब ने इस क्लिनिक के लिए जो नामांकन टोकन छापा है, उसे पेस्ट करें या टाइप करें। बड़े या छोटे अक्षर, स्पेस और डैश से फ़र्क नहीं पड़ता। हर टोकन एक ही बार काम करता है।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="263"/>
        <source>⚠ This PC is enrolled with %1. Moving it to another hub sends this clinic&apos;s whole record (every patient and case it has sent) to the new hub, and nothing more goes to %1: answers it has not sent yet will not arrive. Move only when the administrators of both hubs have agreed. If the new hub cannot be enrolled with, this PC stays with %1.</source>
        <translation>⚠ यह पीसी %1 से नामांकित है। इसे दूसरे हब पर ले जाने से इस क्लिनिक का पूरा रिकॉर्ड (हर मरीज़ और हर केस जो इसने भेजा है) नए हब को भेजा जाएगा, और %1 को आगे कुछ नहीं जाएगा: जो जवाब उसने अभी तक नहीं भेजे हैं, वे नहीं आएँगे। तभी ले जाएँ जब दोनों हब के व्यवस्थापक सहमत हों। अगर नए हब से नामांकन नहीं हो सका, तो यह पीसी %1 के साथ ही रहेगा।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="273"/>
        <source>I &amp;understand: this PC stops sending to %1</source>
        <translation>समझ लिया: यह पीसी %1 को भेजना बंद कर देगा (&amp;U)</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="279"/>
        <source>Move anywa&amp;y: the unsent records and photos go to the new hub</source>
        <translation>फिर भी ले जाएँ: न भेजे गए रिकॉर्ड और फ़ोटो नए हब को जाएँगे (&amp;Y)</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="287"/>
        <source>hub.example.org:8765/K7QM-2XPD-…</source>
        <translation>hub.example.org:8765/K7QM-2XPD-…</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="288"/>
        <source>Enrolment token</source>
        <translation>नामांकन टोकन</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="297"/>
        <source>Enrolment &amp;token:</source>
        <translation>नामांकन टोकन (&amp;T):</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="313"/>
        <source>Advanced: another hub address</source>
        <translation>उन्नत: हब का दूसरा पता</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="318"/>
        <source>https://…</source>
        <translation>https://…</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="319"/>
        <source>Hub address</source>
        <translation>हब का पता</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="321"/>
        <source>Hub a&amp;ddress:</source>
        <translation>हब का पता (&amp;D):</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="325"/>
        <source>Only when this PC reaches the hub at another address than the one in the token, for example through another network. The hub&apos;s certificate is still checked against the token. Leave empty to use the token&apos;s address.</source>
        <translation>केवल तब, जब यह कंप्यूटर हब तक टोकन वाले पते के बजाय किसी दूसरे पते से पहुँचता हो, जैसे किसी दूसरे नेटवर्क से। हब का प्रमाणपत्र फिर भी टोकन से जाँचा जाता है। टोकन वाला पता इस्तेमाल करने के लिए इसे खाली छोड़ें।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="341"/>
        <source>Enrolling</source>
        <translation>नामांकन हो रहा है</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="355"/>
        <source>&amp;Enrol</source>
        <translation>नामांकित करें (&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="355"/>
        <source>&amp;Move</source>
        <translation>ले जाएँ (&amp;M)</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="362"/>
        <source>Cancel</source>
        <translation>रद्द करें</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="468"/>
        <source>A complete token for the hub at %1.</source>
        <translation>%1 वाले हब के लिए पूरा टोकन।</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="521"/>
        <source>&amp;Advanced</source>
        <translation>उन्नत (&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/enrol_dialog.py" line="570"/>
        <source>Contacting the hub at %1… On a slow network this can take a minute.</source>
        <translation>%1 पर हब से संपर्क किया जा रहा है… धीमे नेटवर्क पर इसमें एक मिनट लग सकता है।</translation>
    </message>
</context>
<context>
    <name>LockPage</name>
    <message>
        <location filename="../ui/lock_screen.py" line="44"/>
        <source>Locked — %1 was working here</source>
        <translation>लॉक है — यहाँ %1 काम कर रहे थे</translation>
    </message>
    <message>
        <location filename="../ui/lock_screen.py" line="50"/>
        <source>Type your password to carry on where you left off. Someone else can sign in instead: your work is kept in your drafts.</source>
        <translation>जहाँ छोड़ा था वहीं से काम जारी रखने के लिए अपना पासवर्ड लिखें। कोई और भी साइन इन कर सकता है: आपका काम आपके ड्राफ़्ट में सुरक्षित रहता है।</translation>
    </message>
    <message>
        <location filename="../ui/lock_screen.py" line="60"/>
        <source>Password</source>
        <translation>पासवर्ड</translation>
    </message>
    <message>
        <location filename="../ui/lock_screen.py" line="61"/>
        <source>&amp;Password:</source>
        <translation>पासवर्ड (&amp;P):</translation>
    </message>
    <message>
        <location filename="../ui/lock_screen.py" line="70"/>
        <location filename="../ui/lock_screen.py" line="127"/>
        <source>&amp;Unlock</source>
        <translation>अनलॉक करें (&amp;U)</translation>
    </message>
    <message>
        <location filename="../ui/lock_screen.py" line="74"/>
        <source>Sign in as &amp;someone else…</source>
        <translation>किसी और के रूप में साइन इन करें (&amp;S)…</translation>
    </message>
    <message>
        <location filename="../ui/lock_screen.py" line="117"/>
        <source>Enter your password.</source>
        <translation>अपना पासवर्ड लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/lock_screen.py" line="127"/>
        <source>Unlocking…</source>
        <translation>अनलॉक हो रहा है…</translation>
    </message>
</context>
<context>
    <name>LoginWindow</name>
    <message>
        <location filename="../ui/login.py" line="88"/>
        <source>HWC Spoke — Sign in</source>
        <translation>HWC Spoke — साइन इन</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="90"/>
        <source>HWC Spoke</source>
        <translation>HWC Spoke</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="91"/>
        <source>Health &amp; Wellness Centre teleconsultation</source>
        <translation>स्वास्थ्य एवं आरोग्य केंद्र — टेली-परामर्श</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="127"/>
        <source>Version %1 · works without internet</source>
        <translation>संस्करण %1 · इंटरनेट के बिना भी चलता है</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="144"/>
        <source>&amp;Diagnostics…</source>
        <translation>सिस्टम जाँच (&amp;D)…</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="158"/>
        <source>Opening the clinic records…</source>
        <translation>क्लिनिक के रिकॉर्ड खोले जा रहे हैं…</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="166"/>
        <source>Set up this PC</source>
        <translation>इस कंप्यूटर को सेट अप करें</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="169"/>
        <source>No staff accounts exist yet. Create the administrator account first; the administrator then adds the paramedics and doctors who work here.</source>
        <translation>अभी कोई स्टाफ़ खाता नहीं है। पहले व्यवस्थापक (एडमिन) का खाता बनाएँ; फिर व्यवस्थापक यहाँ काम करने वाले पैरामेडिक और डॉक्टरों को जोड़ेंगे।</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="179"/>
        <source>e.g. admin</source>
        <translation>जैसे: admin</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="183"/>
        <source>at least 8 characters</source>
        <translation>कम से कम 8 अक्षर</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="191"/>
        <source>Full &amp;name:</source>
        <translation>पूरा नाम (&amp;N):</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="192"/>
        <location filename="../ui/login.py" line="236"/>
        <source>&amp;Username:</source>
        <translation>उपयोगकर्ता नाम (&amp;U):</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="193"/>
        <location filename="../ui/login.py" line="237"/>
        <source>&amp;Password:</source>
        <translation>पासवर्ड (&amp;P):</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="195"/>
        <source>&amp;Confirm password:</source>
        <translation>पासवर्ड दोबारा लिखें (&amp;C):</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="199"/>
        <source>Create &amp;administrator and sign in</source>
        <translation>व्यवस्थापक खाता बनाएँ और साइन इन करें (&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="225"/>
        <source>Sign in</source>
        <translation>साइन इन</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="240"/>
        <location filename="../ui/login.py" line="532"/>
        <source>&amp;Sign in</source>
        <translation>साइन इन करें (&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="250"/>
        <source>Sign in with the &amp;recovery key…</source>
        <translation>रिकवरी की से साइन इन करें (&amp;R)…</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="272"/>
        <source>Demo mode — sample accounts:</source>
        <translation>डेमो मोड — नमूना खाते:</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="296"/>
        <source>&amp;Language / भाषा:</source>
        <translation>भाषा / Language (&amp;L):</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="384"/>
        <source>Enter your username.</source>
        <translation>अपना उपयोगकर्ता नाम लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="387"/>
        <source>Enter your password.</source>
        <translation>अपना पासवर्ड लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="448"/>
        <source>This PC is locked and your account has not been used on it yet: someone who has used it, or field IT with the recovery key, must sign in first.</source>
        <translation>यह पीसी लॉक है और आपका खाता इस पर अभी तक इस्तेमाल नहीं हुआ है: पहले कोई ऐसा व्यक्ति साइन इन करे जिसने इसे इस्तेमाल किया है, या रिकवरी की के साथ फ़ील्ड आईटी।</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="453"/>
        <source>The key file of this PC does not match its clinic database, or is damaged. Call field IT; do not delete anything.</source>
        <translation>इस पीसी की की-फ़ाइल इसके क्लिनिक डेटाबेस से मेल नहीं खाती, या खराब है। फ़ील्ड आईटी को बुलाएँ; कुछ भी न हटाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="467"/>
        <source>Enter your full name.</source>
        <translation>अपना पूरा नाम लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="470"/>
        <source>Choose a username.</source>
        <translation>एक उपयोगकर्ता नाम चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="476"/>
        <source>The two passwords are not the same. Type the password again.</source>
        <translation>दोनों पासवर्ड एक जैसे नहीं हैं। पासवर्ड फिर से लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/login.py" line="532"/>
        <source>Signing in…</source>
        <translation>साइन इन हो रहा है…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../ui/main_window.py" line="121"/>
        <source>Patients</source>
        <translation>मरीज़</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="122"/>
        <source>Cases &amp; queue</source>
        <translation>केस और कतार</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="123"/>
        <source>Prescriptions</source>
        <translation>प्रिस्क्रिप्शन</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="124"/>
        <source>Devices</source>
        <translation>उपकरण</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="125"/>
        <source>Sync</source>
        <translation>सिंक</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="126"/>
        <source>Settings</source>
        <translation>सेटिंग्स</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="131"/>
        <source>Here you will enrol this PC with its hub, see what is waiting to be sent, and when the last sync succeeded. Until then, cases you queue are kept safely on this PC.</source>
        <translation>यहाँ आप इस कंप्यूटर को उसके हब के साथ पंजीकृत (एनरोल) कर सकेंगे, देख सकेंगे कि क्या भेजना बाकी है, और पिछला सफल सिंक कब हुआ। तब तक, आप जो केस कतार में डालते हैं, वे इसी कंप्यूटर पर सुरक्षित रखे जाते हैं।</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="136"/>
        <source>Here the administrator will manage staff accounts, the interface language, the text size and the clinic&apos;s details.</source>
        <translation>यहाँ व्यवस्थापक स्टाफ़ खाते, इंटरफ़ेस की भाषा, अक्षरों का आकार और क्लिनिक का विवरण सँभालेंगे।</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="194"/>
        <location filename="../ui/main_window.py" line="315"/>
        <source>HWC Spoke</source>
        <translation>HWC Spoke</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="205"/>
        <source>Sections</source>
        <translation>अनुभाग</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="212"/>
        <source>Alt+%1</source>
        <translation>Alt+%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="277"/>
        <source>Patient records are for clinical staff. Your account (administrator) looks after staff accounts and settings.</source>
        <translation>मरीज़ों के रिकॉर्ड क्लिनिकल स्टाफ़ के लिए हैं। आपका खाता (व्यवस्थापक) स्टाफ़ खातों और सेटिंग्स के लिए है।</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="280"/>
        <source>Sign in with a paramedic or doctor account to see patients.</source>
        <translation>मरीज़ देखने के लिए पैरामेडिक या डॉक्टर के खाते से साइन इन करें।</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="286"/>
        <source>This page is not part of this build yet.</source>
        <translation>यह पेज अभी इस संस्करण में शामिल नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="287"/>
        <location filename="../ui/main_window.py" line="301"/>
        <source>Not available yet.</source>
        <translation>अभी उपलब्ध नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="331"/>
        <source>Sign &amp;out</source>
        <translation>साइन आउट (&amp;O)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="334"/>
        <source>Sign out: the next person signs in. To step away, lock instead (Ctrl+L).</source>
        <translation>साइन आउट करें: अगला व्यक्ति साइन इन करेगा। थोड़ी देर के लिए उठ रहे हों तो लॉक करें (Ctrl+L)।</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="337"/>
        <source>Loc&amp;k</source>
        <translation>लॉक करें (&amp;K)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="340"/>
        <source>Lock the screen while you step away; your password opens it (Ctrl+L)</source>
        <translation>उठते समय स्क्रीन लॉक करें; आपका पासवर्ड ही इसे खोलेगा (Ctrl+L)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="346"/>
        <source>Diagnostics…</source>
        <translation>सिस्टम जाँच…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="349"/>
        <source>What is wrong on this PC and what to do; a support bundle for field IT (F1)</source>
        <translation>इस पीसी पर क्या गड़बड़ है और क्या करें; फ़ील्ड आईटी के लिए सपोर्ट बंडल (F1)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="365"/>
        <source>Signed in: %1 (%2)</source>
        <translation>साइन इन: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="370"/>
        <source>Sync: …</source>
        <translation>सिंक: …</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="373"/>
        <source>Everything is saved on this PC. The Sync section (Alt+5) shows more.</source>
        <translation>सब कुछ इसी कंप्यूटर पर सहेजा गया है। सिंक भाग (Alt+5) में और जानकारी है।</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="375"/>
        <source>Waiting to sync: …</source>
        <translation>सिंक होना बाकी: …</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="423"/>
        <source>Only clinical staff can register patients.</source>
        <translation>केवल क्लिनिकल स्टाफ़ ही मरीज़ों का पंजीकरण कर सकता है।</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="431"/>
        <source>Registration is not available in this build yet.</source>
        <translation>पंजीकरण अभी इस संस्करण में उपलब्ध नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="492"/>
        <source>Locked — HWC Spoke</source>
        <translation>लॉक है — HWC Spoke</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="648"/>
        <source>%1 — HWC Spoke</source>
        <translation>%1 — HWC Spoke</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="661"/>
        <source>This view is not part of this build yet.</source>
        <translation>यह दृश्य अभी इस संस्करण में शामिल नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="708"/>
        <source>Waiting to sync: unknown</source>
        <translation>सिंक होना बाकी: पता नहीं</translation>
    </message>
</context>
<context>
    <name>PairDialog</name>
    <message>
        <location filename="../ui/pair_dialog.py" line="245"/>
        <source>Pair a device</source>
        <translation>उपकरण पेयर करें</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="262"/>
        <source>Pair each device once; after that its readings reach the case form by themselves. Choose what kind of device it is first.</source>
        <translation>हर उपकरण को एक बार पेयर करें; उसके बाद उसकी रीडिंग अपने-आप केस फ़ॉर्म में पहुँचेगी। पहले चुनें कि उपकरण किस प्रकार का है।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="274"/>
        <source>&amp;Search for devices</source>
        <translation>उपकरण खोजें (&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="281"/>
        <source>Switch the device on and put it in pairing mode (see its manual; often a long press on its button), then search.</source>
        <translation>उपकरण चालू करें और उसे पेयरिंग मोड में डालें (उसका मैनुअल देखें; अक्सर बटन को देर तक दबाना होता है), फिर खोजें।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="288"/>
        <source>Bluetooth devices found</source>
        <translation>मिले हुए ब्लूटूथ उपकरण</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="293"/>
        <source>e.g. A4:C1:38:12:34:56</source>
        <translation>जैसे: A4:C1:38:12:34:56</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="298"/>
        <source>No serial port found</source>
        <translation>कोई सीरियल पोर्ट नहीं मिला</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="299"/>
        <source>Serial port</source>
        <translation>सीरियल पोर्ट</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="300"/>
        <source>Looking for serial ports…</source>
        <translation>सीरियल पोर्ट खोजे जा रहे हैं…</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="311"/>
        <source>e.g. 192.168.1.20:2575</source>
        <translation>जैसे: 192.168.1.20:2575</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="313"/>
        <source>This PC&apos;s address on the network: %1.</source>
        <translation>नेटवर्क पर इस कंप्यूटर का पता: %1।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="318"/>
        <source>This PC is not on a network now; 0.0.0.0 listens on every network it joins.</source>
        <translation>यह कंप्यूटर अभी किसी नेटवर्क पर नहीं है; 0.0.0.0 हर उस नेटवर्क पर सुनता है जिससे यह जुड़ेगा।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="322"/>
        <source>The monitor connects to this PC over the clinic network. On the monitor, set the HL7 destination to the address and port entered here. 127.0.0.1 would only take connections from this PC itself, so no monitor could reach it. Give this PC a fixed address on the network, or the monitor loses it.</source>
        <translation>मॉनिटर क्लिनिक के नेटवर्क से इस कंप्यूटर से जुड़ता है। मॉनिटर पर HL7 destination में यहाँ लिखा पता और पोर्ट डालें। 127.0.0.1 केवल इसी कंप्यूटर से कनेक्शन लेता है, इसलिए कोई मॉनिटर उस तक नहीं पहुँच पाएगा। इस कंप्यूटर को नेटवर्क पर एक स्थायी (fixed) पता दें, नहीं तो मॉनिटर इसे खो देगा।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="333"/>
        <source>optional, e.g. MONITOR^BED01</source>
        <translation>वैकल्पिक, जैसे: MONITOR^BED01</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="336"/>
        <source>The sending application (and ^facility) set on the monitor. Messages from any other sender are not offered for the patient.</source>
        <translation>मॉनिटर पर सेट किया गया sending application (और ^facility)। किसी दूसरे भेजने वाले के संदेश मरीज़ के लिए नहीं दिखाए जाते।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="365"/>
        <source>&amp;Kind of device:</source>
        <translation>उपकरण का प्रकार (&amp;K):</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="370"/>
        <source>&amp;Found:</source>
        <translation>मिले उपकरण (&amp;F):</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="371"/>
        <source>Bluetooth &amp;address:</source>
        <translation>ब्लूटूथ पता (&amp;A):</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="373"/>
        <source>P&amp;ort:</source>
        <translation>पोर्ट (&amp;O):</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="376"/>
        <source>&amp;Baud rate:</source>
        <translation>बॉड रेट (&amp;B):</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="378"/>
        <source>&amp;Listen on:</source>
        <translation>इस पते पर सुनें (&amp;L):</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="381"/>
        <source>Expected s&amp;ender:</source>
        <translation>अपेक्षित भेजने वाला (&amp;E):</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="382"/>
        <source>&amp;Name:</source>
        <translation>नाम (&amp;N):</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="387"/>
        <source>&amp;Pair device</source>
        <translation>उपकरण पेयर करें (&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="393"/>
        <source>Cancel</source>
        <translation>रद्द करें</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="519"/>
        <source>No serial port found. Plug in the device&apos;s USB cable: its port appears here by itself.</source>
        <translation>कोई सीरियल पोर्ट नहीं मिला। उपकरण की USB केबल लगाएँ: उसका पोर्ट यहाँ अपने-आप दिखेगा।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="526"/>
        <source>Not sure which port? Unplug the cable and plug it in again: its port is then chosen.</source>
        <translation>पता नहीं कौन-सा पोर्ट है? केबल निकालकर फिर से लगाएँ: तब उसका पोर्ट अपने-आप चुन लिया जाएगा।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="533"/>
        <source>The serial ports could not be listed: %1</source>
        <translation>सीरियल पोर्ट की सूची नहीं मिल सकी: %1</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="548"/>
        <source>Cable plugged in: %1. It is chosen.</source>
        <translation>केबल लगाई गई: %1। इसे चुन लिया गया है।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="554"/>
        <source>The cable on %1 was unplugged. Plug it in again, or choose another port.</source>
        <translation>%1 की केबल निकाल दी गई। इसे फिर से लगाएँ, या कोई दूसरा पोर्ट चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="592"/>
        <source>Searching…</source>
        <translation>खोजा जा रहा है…</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="595"/>
        <source>Searching for Bluetooth devices…</source>
        <translation>ब्लूटूथ उपकरण खोजे जा रहे हैं…</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="611"/>
        <source>(no name)</source>
        <translation>(बिना नाम)</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/pair_dialog.py" line="621"/>
        <source>%n device(s) found. Choose one; its address is filled in.</source>
        <translation>
            <numerusform>%n उपकरण मिला। एक चुनें; उसका पता अपने-आप भर जाएगा।</numerusform>
            <numerusform>%n उपकरण मिले। एक चुनें; उसका पता अपने-आप भर जाएगा।</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="628"/>
        <source>No Bluetooth health device found. Check that the device is on and in pairing mode and that this PC&apos;s Bluetooth is switched on, then search again.</source>
        <translation>कोई ब्लूटूथ स्वास्थ्य उपकरण नहीं मिला। जाँचें कि उपकरण चालू और पेयरिंग मोड में है, और इस कंप्यूटर का ब्लूटूथ चालू है, फिर दोबारा खोजें।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="640"/>
        <source>The Bluetooth search did not work (%1). Check that this PC&apos;s Bluetooth is switched on, or type the device&apos;s address.</source>
        <translation>ब्लूटूथ खोज नहीं हो सकी (%1)। जाँचें कि इस कंप्यूटर का ब्लूटूथ चालू है, या उपकरण का पता लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="649"/>
        <source>Search stopped.</source>
        <translation>खोज रोक दी गई।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="703"/>
        <source>Search for the device and choose it, or type its address.</source>
        <translation>उपकरण खोजकर चुनें, या उसका पता लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="705"/>
        <source>Plug in the device&apos;s cable and choose its port.</source>
        <translation>उपकरण की केबल लगाएँ और उसका पोर्ट चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="707"/>
        <source>Enter the address this PC listens on, e.g. 192.168.1.20:2575.</source>
        <translation>वह पता लिखें जिस पर यह कंप्यूटर सुनेगा, जैसे 192.168.1.20:2575।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="716"/>
        <source>Write the address as address:port, e.g. 192.168.1.20:2575 (a port is a number up to 65535).</source>
        <translation>पता “पता:पोर्ट” के रूप में लिखें, जैसे 192.168.1.20:2575 (पोर्ट 65535 तक की संख्या होती है)।</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="723"/>
        <source>Choose the baud rate given in the device&apos;s manual.</source>
        <translation>उपकरण के मैनुअल में दिया गया बॉड रेट चुनें।</translation>
    </message>
</context>
<context>
    <name>PatientTableModel</name>
    <message>
        <location filename="../ui/models/patient_table.py" line="26"/>
        <source>Name</source>
        <translation>नाम</translation>
    </message>
    <message>
        <location filename="../ui/models/patient_table.py" line="27"/>
        <source>Name (other script)</source>
        <translation>नाम (दूसरी लिपि में)</translation>
    </message>
    <message>
        <location filename="../ui/models/patient_table.py" line="28"/>
        <source>Father / husband / mother</source>
        <translation>पिता / पति / माता</translation>
    </message>
    <message>
        <location filename="../ui/models/patient_table.py" line="29"/>
        <source>Sex / age</source>
        <translation>लिंग / उम्र</translation>
    </message>
    <message>
        <location filename="../ui/models/patient_table.py" line="30"/>
        <source>Village</source>
        <translation>गाँव</translation>
    </message>
    <message>
        <location filename="../ui/models/patient_table.py" line="31"/>
        <source>Phone</source>
        <translation>फ़ोन</translation>
    </message>
    <message>
        <location filename="../ui/models/patient_table.py" line="32"/>
        <source>ABHA number</source>
        <translation>ABHA नंबर</translation>
    </message>
    <message>
        <location filename="../ui/models/patient_table.py" line="91"/>
        <source>Phone, partly hidden</source>
        <translation>फ़ोन (कुछ अंक छिपे हुए)</translation>
    </message>
</context>
<context>
    <name>PatientView</name>
    <message>
        <location filename="../ui/patient_page.py" line="70"/>
        <source>Start &amp;new case</source>
        <translation>नया केस शुरू करें (&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="74"/>
        <source>&amp;Back to search</source>
        <translation>खोज पर वापस जाएँ (&amp;B)</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="91"/>
        <source>Details</source>
        <translation>विवरण</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="97"/>
        <source>Guardian:</source>
        <translation>अभिभावक:</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="98"/>
        <source>Born:</source>
        <translation>जन्म:</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="99"/>
        <source>Phone:</source>
        <translation>फ़ोन:</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="100"/>
        <source>ABHA number:</source>
        <translation>ABHA नंबर:</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="101"/>
        <source>ABHA address:</source>
        <translation>ABHA पता:</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="102"/>
        <source>Address:</source>
        <translation>पता:</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="103"/>
        <source>Registered:</source>
        <translation>पंजीकरण:</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="112"/>
        <source>Vital sign trends</source>
        <translation>जीवन संकेतों का रुझान</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="129"/>
        <source>&amp;Visits</source>
        <translation>विज़िट (&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="137"/>
        <source>Date</source>
        <translation>तारीख़</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="138"/>
        <source>Status</source>
        <translation>स्थिति</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="139"/>
        <source>Chief complaint</source>
        <translation>मुख्य शिकायत</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="140"/>
        <source>Specialty</source>
        <translation>विशेषज्ञता</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="141"/>
        <source>NEWS2</source>
        <translation>NEWS2</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="149"/>
        <source>No visits yet. Start a new case to record one.</source>
        <translation>अभी कोई विज़िट नहीं। विज़िट दर्ज करने के लिए नया केस शुरू करें।</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="183"/>
        <source>Patient</source>
        <translation>मरीज़</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="257"/>
        <source>about %1 (estimated from age)</source>
        <translation>लगभग %1 (उम्र से अनुमानित)</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="306"/>
        <source>No readings yet</source>
        <translation>अभी कोई रीडिंग नहीं</translation>
    </message>
    <message>
        <location filename="../ui/patient_page.py" line="315"/>
        <source>Latest %1 on %2</source>
        <translation>नवीनतम: %1 (%2)</translation>
    </message>
</context>
<context>
    <name>PatientsPage</name>
    <message>
        <location filename="../ui/patients_page.py" line="52"/>
        <location filename="../ui/patients_page.py" line="105"/>
        <source>Patients</source>
        <translation>मरीज़</translation>
    </message>
    <message>
        <location filename="../ui/patients_page.py" line="57"/>
        <source>Name in any script, phone or ABHA number — e.g. सुनीता or Sunita</source>
        <translation>किसी भी लिपि में नाम, फ़ोन या ABHA नंबर — जैसे: सुनीता या Sunita</translation>
    </message>
    <message>
        <location filename="../ui/patients_page.py" line="60"/>
        <source>&amp;Find patient:</source>
        <translation>मरीज़ खोजें (&amp;F):</translation>
    </message>
    <message>
        <location filename="../ui/patients_page.py" line="63"/>
        <source>&amp;Register new patient…</source>
        <translation>नए मरीज़ का पंजीकरण करें (&amp;R)…</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/patients_page.py" line="147"/>
        <source>%n patient(s) found. Press ↓ to choose, Enter to open.</source>
        <translation>
            <numerusform>%n मरीज़ मिला। चुनने के लिए ↓ दबाएँ, खोलने के लिए Enter।</numerusform>
            <numerusform>%n मरीज़ मिले। चुनने के लिए ↓ दबाएँ, खोलने के लिए Enter।</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/patients_page.py" line="152"/>
        <source>No patient found for “%1”. Check the spelling or register a new patient.</source>
        <translation>“%1” के लिए कोई मरीज़ नहीं मिला। वर्तनी जाँचें या नए मरीज़ का पंजीकरण करें।</translation>
    </message>
    <message>
        <location filename="../ui/patients_page.py" line="165"/>
        <source>Most recently registered patients. Type part of a name, a phone number or an ABHA number to search.</source>
        <translation>हाल ही में पंजीकृत मरीज़। खोजने के लिए नाम का हिस्सा, फ़ोन नंबर या ABHA नंबर लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/patients_page.py" line="177"/>
        <source>Type part of a name, a phone number or an ABHA number to search.</source>
        <translation>खोजने के लिए नाम का कुछ हिस्सा, फ़ोन नंबर या ABHA नंबर लिखें।</translation>
    </message>
</context>
<context>
    <name>PrescriptionDialog</name>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="308"/>
        <location filename="../ui/prescription_dialogs.py" line="318"/>
        <source>Prescription</source>
        <translation>प्रिस्क्रिप्शन</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="330"/>
        <source>The prescription</source>
        <translation>प्रिस्क्रिप्शन</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="336"/>
        <source>&amp;Acknowledge</source>
        <translation>पढ़ लिया, स्वीकार करें (&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="337"/>
        <source>Tell the hub you have read it (Alt+A)</source>
        <translation>हब को बताएँ कि आपने इसे पढ़ लिया है (Alt+A)</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="339"/>
        <source>Ask the specialist a &amp;question…</source>
        <translation>विशेषज्ञ से प्रश्न पूछें… (&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="341"/>
        <source>Record &amp;dispensing…</source>
        <translation>दवा देना दर्ज करें… (&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="344"/>
        <source>&amp;Print…</source>
        <translation>प्रिंट करें… (&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="346"/>
        <source>Print on A4, with the code a pharmacist scans to check it (Alt+P)</source>
        <translation>A4 पर छापें, उस कोड के साथ जिसे फ़ार्मासिस्ट जाँचने के लिए स्कैन करता है (Alt+P)</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="351"/>
        <source>&amp;Close</source>
        <translation>बंद करें (&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="405"/>
        <source>Prescription for %1</source>
        <translation>%1 का प्रिस्क्रिप्शन</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="414"/>
        <source>Do not dispense from this prescription. Its signature could not be verified, so it may not be what the specialist wrote. The hub has been told. Ask the specialist to issue it again.</source>
        <translation>इस प्रिस्क्रिप्शन से दवा न दें। इसके हस्ताक्षर की पुष्टि नहीं हो सकी, इसलिए हो सकता है कि यह वह न हो जो विशेषज्ञ ने लिखा था। हब को सूचित कर दिया गया है। विशेषज्ञ से इसे फिर से जारी करने के लिए कहें।</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="420"/>
        <source>Details (for IT support): %1</source>
        <translation>विवरण (आईटी सहायता के लिए): %1</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="425"/>
        <source>The specialist has replaced this prescription with a correction. Dispense from the newer prescription, not this one.</source>
        <translation>विशेषज्ञ ने इस प्रिस्क्रिप्शन की जगह एक सुधरा हुआ प्रिस्क्रिप्शन भेजा है। दवा नए प्रिस्क्रिप्शन से दें, इससे नहीं।</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="445"/>
        <source>Acknowledge the prescription first (Alt+A).</source>
        <translation>पहले प्रिस्क्रिप्शन को स्वीकार करें (Alt+A)।</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="447"/>
        <source>What was handed over, item by item (Alt+D)</source>
        <translation>हर दवा के लिए क्या दिया गया (Alt+D)</translation>
    </message>
</context>
<context>
    <name>PrescriptionsPage</name>
    <message>
        <location filename="../ui/prescriptions_page.py" line="69"/>
        <location filename="../ui/prescriptions_page.py" line="78"/>
        <source>Patient</source>
        <translation>मरीज़</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="70"/>
        <location filename="../ui/prescriptions_page.py" line="82"/>
        <source>Issued</source>
        <translation>जारी किया गया</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="71"/>
        <location filename="../ui/prescriptions_page.py" line="81"/>
        <source>Prescriber</source>
        <translation>लिखने वाले डॉक्टर</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="72"/>
        <source>Items</source>
        <translation>दवाएँ</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="73"/>
        <source>State</source>
        <translation>स्थिति</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="74"/>
        <source>Signature</source>
        <translation>हस्ताक्षर</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="77"/>
        <source>Due</source>
        <translation>नियत तारीख</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="79"/>
        <source>Phone</source>
        <translation>फ़ोन</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="80"/>
        <source>Village</source>
        <translation>गाँव</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="87"/>
        <source>&amp;All</source>
        <translation>सभी (&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="88"/>
        <source>&amp;New</source>
        <translation>नए (&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="89"/>
        <source>Ac&amp;knowledged</source>
        <translation>स्वीकार किए गए (&amp;K)</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="90"/>
        <source>&amp;Queried</source>
        <translation>प्रश्न पूछे गए (&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="91"/>
        <source>&amp;Dispensed</source>
        <translation>दवा दी गई (&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="96"/>
        <source>Due today or overdue</source>
        <translation>आज या पहले से बकाया</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="97"/>
        <source>Due within 7 days</source>
        <translation>7 दिनों के भीतर</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="98"/>
        <source>Due within 30 days</source>
        <translation>30 दिनों के भीतर</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="214"/>
        <source>Today (%1)</source>
        <translation>आज (%1)</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="216"/>
        <source>Overdue by %n day(s) (%1)</source>
        <translation>%n दिन से बकाया (%1)</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="261"/>
        <location filename="../ui/prescriptions_page.py" line="285"/>
        <location filename="../ui/prescriptions_page.py" line="359"/>
        <source>Prescriptions</source>
        <translation>प्रिस्क्रिप्शन</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="262"/>
        <source>Re&amp;fresh</source>
        <translation>रीफ़्रेश करें (&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="272"/>
        <source>Show:</source>
        <translation>दिखाएँ:</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="294"/>
        <source>&amp;View prescription…</source>
        <translation>प्रिस्क्रिप्शन देखें… (&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="295"/>
        <source>Open the selected prescription (Enter)</source>
        <translation>चुना हुआ प्रिस्क्रिप्शन खोलें (Enter)</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="312"/>
        <source>S&amp;how:</source>
        <translation>दिखाएँ (&amp;H):</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="320"/>
        <source>Patients due back</source>
        <translation>दोबारा आने वाले मरीज़</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="326"/>
        <source>No patients are due back.</source>
        <translation>किसी मरीज़ को अभी दोबारा नहीं आना है।</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="336"/>
        <source>&amp;Inbox</source>
        <translation>इनबॉक्स (&amp;I)</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="337"/>
        <source>Follow-&amp;ups</source>
        <translation>फ़ॉलो-अप (&amp;U)</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="402"/>
        <source>No prescriptions have arrived yet. They come with a sync.</source>
        <translation>अभी तक कोई प्रिस्क्रिप्शन नहीं आया है। ये सिंक के साथ आते हैं।</translation>
    </message>
    <message>
        <location filename="../ui/prescriptions_page.py" line="404"/>
        <source>No prescriptions in this state.</source>
        <translation>इस स्थिति में कोई प्रिस्क्रिप्शन नहीं है।</translation>
    </message>
</context>
<context>
    <name>QueryDialog</name>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="536"/>
        <source>Ask the specialist</source>
        <translation>विशेषज्ञ से पूछें</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="540"/>
        <source>Your &amp;question for the specialist:</source>
        <translation>विशेषज्ञ के लिए आपका प्रश्न (&amp;Q):</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="546"/>
        <source>It goes to the specialist with the next sync and appears in the messages. Ctrl+Enter sends it.</source>
        <translation>यह अगले सिंक के साथ विशेषज्ञ को जाएगा और संदेशों में दिखेगा। Ctrl+Enter से भेजें।</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="555"/>
        <source>&amp;Send</source>
        <translation>भेजें (&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="556"/>
        <source>Cancel</source>
        <translation>रद्द करें</translation>
    </message>
</context>
<context>
    <name>RecoveryKeyDialog</name>
    <message>
        <location filename="../ui/recovery_key_dialog.py" line="33"/>
        <location filename="../ui/recovery_key_dialog.py" line="35"/>
        <source>Recovery key of this PC</source>
        <translation>इस पीसी की रिकवरी की</translation>
    </message>
    <message>
        <location filename="../ui/recovery_key_dialog.py" line="44"/>
        <source>Recovery key</source>
        <translation>रिकवरी की</translation>
    </message>
    <message>
        <location filename="../ui/recovery_key_dialog.py" line="47"/>
        <source>Write it down and keep it away from this PC; it opens the clinic&apos;s data if every password is lost. It will not be shown again.</source>
        <translation>इसे लिख लें और इस पीसी से दूर रखें; सभी पासवर्ड खो जाने पर इसी से क्लिनिक का डेटा खुलता है। यह दोबारा नहीं दिखाई जाएगी।</translation>
    </message>
    <message>
        <location filename="../ui/recovery_key_dialog.py" line="53"/>
        <source>&amp;I have written it down</source>
        <translation>मैंने इसे लिख लिया है (&amp;I)</translation>
    </message>
    <message>
        <location filename="../ui/recovery_key_dialog.py" line="55"/>
        <source>&amp;Close</source>
        <translation>बंद करें (&amp;C)</translation>
    </message>
</context>
<context>
    <name>RecoverySignInDialog</name>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="49"/>
        <location filename="../ui/recovery_sign_in.py" line="53"/>
        <source>Sign in with the recovery key</source>
        <translation>रिकवरी की से साइन इन करें</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="56"/>
        <source>For field IT when no administrator can sign in. The recovery key opens this PC&apos;s data; the administrator account you name gets a new password. The key is replaced afterwards: write the new one down.</source>
        <translation>फ़ील्ड आईटी के लिए, जब कोई भी व्यवस्थापक साइन इन नहीं कर सकता। रिकवरी की इस पीसी का डेटा खोलती है; आप जिस व्यवस्थापक खाते का नाम देंगे उसे नया पासवर्ड मिलेगा। इसके बाद की बदल दी जाती है: नई की लिख लें।</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="71"/>
        <source>at least 8 characters</source>
        <translation>कम से कम 8 अक्षर</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="78"/>
        <source>Recovery &amp;key:</source>
        <translation>रिकवरी की (&amp;K):</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="79"/>
        <source>Administrator&apos;s &amp;username:</source>
        <translation>व्यवस्थापक का उपयोगकर्ता नाम (&amp;U):</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="80"/>
        <source>&amp;New password:</source>
        <translation>नया पासवर्ड (&amp;N):</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="81"/>
        <source>&amp;Confirm password:</source>
        <translation>पासवर्ड दोबारा लिखें (&amp;C):</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="89"/>
        <source>Problem</source>
        <translation>समस्या</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="94"/>
        <location filename="../ui/recovery_sign_in.py" line="194"/>
        <source>&amp;Sign in</source>
        <translation>साइन इन करें (&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="99"/>
        <source>Cancel</source>
        <translation>रद्द करें</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="133"/>
        <source>Type the recovery key.</source>
        <translation>रिकवरी की टाइप करें।</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="136"/>
        <source>Type the administrator&apos;s username.</source>
        <translation>व्यवस्थापक का उपयोगकर्ता नाम टाइप करें।</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="141"/>
        <source>The two passwords are not the same. Type the password again.</source>
        <translation>दोनों पासवर्ड एक जैसे नहीं हैं। पासवर्ड फिर से लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/recovery_sign_in.py" line="194"/>
        <source>Signing in…</source>
        <translation>साइन इन हो रहा है…</translation>
    </message>
</context>
<context>
    <name>RegistrationDialog</name>
    <message>
        <location filename="../ui/registration.py" line="113"/>
        <source>Register new patient</source>
        <translation>नए मरीज़ का पंजीकरण</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="122"/>
        <source>As the patient says it, any script</source>
        <translation>जैसा मरीज़ बताए, किसी भी लिपि में</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="124"/>
        <source>e.g. रमेश कुमार or Ramesh Kumar</source>
        <translation>जैसे: रमेश कुमार या Ramesh Kumar</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="126"/>
        <source>Father, husband or mother</source>
        <translation>पिता, पति या माँ</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="128"/>
        <source>— choose —</source>
        <translation>— चुनें —</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="132"/>
        <source>e.g. 45</source>
        <translation>जैसे: 45</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="133"/>
        <source>Date of &amp;birth known</source>
        <translation>जन्म तिथि पता है (&amp;B)</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="143"/>
        <source>10 digits</source>
        <translation>10 अंक</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="145"/>
        <source>14 digits, XX-XXXX-XXXX-XXXX</source>
        <translation>14 अंक, XX-XXXX-XXXX-XXXX</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="147"/>
        <source>name@abdm</source>
        <translation>name@abdm</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="158"/>
        <source>— choose state —</source>
        <translation>— राज्य चुनें —</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="160"/>
        <location filename="../ui/registration.py" line="398"/>
        <source>— choose district —</source>
        <translation>— ज़िला चुनें —</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="164"/>
        <source>House, street, landmark</source>
        <translation>मकान, गली, पास का कोई निशान (लैंडमार्क)</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="187"/>
        <source>Person</source>
        <translation>व्यक्ति</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="189"/>
        <source>&amp;Name:</source>
        <translation>नाम (&amp;N):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="191"/>
        <source>Name in &amp;other script:</source>
        <translation>दूसरी लिपि में नाम (&amp;O):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="194"/>
        <source>&amp;Guardian&apos;s name:</source>
        <translation>अभिभावक का नाम (&amp;G):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="196"/>
        <source>S&amp;ex:</source>
        <translation>लिंग (&amp;E):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="207"/>
        <source>Dist&amp;rict:</source>
        <translation>ज़िला (&amp;R):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="209"/>
        <source>Sub-district / bloc&amp;k:</source>
        <translation>उप-ज़िला / ब्लॉक (&amp;K):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="237"/>
        <source>Register as a new patient an&amp;yway</source>
        <translation>फिर भी नए मरीज़ के रूप में पंजीकरण करें (&amp;Y)</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="197"/>
        <source>&amp;Age in years (estimated):</source>
        <translation>उम्र वर्षों में (अनुमानित) (&amp;A):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="198"/>
        <source>&amp;Phone:</source>
        <translation>फ़ोन (&amp;P):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="199"/>
        <source>ABHA n&amp;umber:</source>
        <translation>ABHA नंबर (&amp;U):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="201"/>
        <source>ABHA a&amp;ddress:</source>
        <translation>ABHA पता (&amp;D):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="204"/>
        <source>Where they live</source>
        <translation>निवास स्थान</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="206"/>
        <source>S&amp;tate:</source>
        <translation>राज्य (&amp;T):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="211"/>
        <source>&amp;Village:</source>
        <translation>गाँव (&amp;V):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="212"/>
        <source>Address &amp;line:</source>
        <translation>पता (&amp;L):</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="215"/>
        <source>Possible existing patients</source>
        <translation>शायद पहले से पंजीकृत मरीज़</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="223"/>
        <source>This person may already be registered. Open their record if it is them.</source>
        <translation>यह व्यक्ति शायद पहले से पंजीकृत है। अगर यह वही व्यक्ति है, तो उनका रिकॉर्ड खोलें।</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="233"/>
        <source>&amp;Use this patient</source>
        <translation>यही मरीज़ चुनें (&amp;U)</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="261"/>
        <source>&amp;Save patient</source>
        <translation>मरीज़ को सहेजें (&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="436"/>
        <source>Write the age as a number of years, e.g. 45.</source>
        <translation>उम्र वर्षों की संख्या में लिखें, जैसे 45।</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="494"/>
        <source>This is the registration you had not finished (the app was closed or the power went off). Check it and save, or Cancel to discard it.</source>
        <translation>यह वह पंजीकरण है जो आपने पूरा नहीं किया था (ऐप बंद हो गया था या बिजली चली गई थी)। इसे जाँचें और सहेजें, या हटाने के लिए रद्द करें।</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="552"/>
        <source>Matches: %1</source>
        <translation>मिलान: %1</translation>
    </message>
    <message>
        <location filename="../ui/registration.py" line="638"/>
        <source>This person may already be registered. Open their record with “Use this patient”, or tick “Register as a new patient anyway” and save again.</source>
        <translation>यह व्यक्ति शायद पहले से पंजीकृत है। “यही मरीज़ चुनें” से उनका रिकॉर्ड खोलें, या “फिर भी नए मरीज़ के रूप में पंजीकरण करें” पर टिक करें और फिर से सहेजें।</translation>
    </message>
</context>
<context>
    <name>RenameDeviceDialog</name>
    <message>
        <location filename="../ui/devices_page.py" line="740"/>
        <source>Rename device</source>
        <translation>उपकरण का नाम बदलें</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="747"/>
        <source>A name staff will recognise, e.g. “BP monitor (room 2)”. Now: %1 — %2.</source>
        <translation>ऐसा नाम जिसे स्टाफ़ पहचान ले, जैसे “BP मॉनिटर (कमरा 2)”। अभी: %1 — %2।</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="761"/>
        <source>&amp;Name:</source>
        <translation>नाम (&amp;N):</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="768"/>
        <source>&amp;Save</source>
        <translation>सहेजें (&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/devices_page.py" line="774"/>
        <source>Cancel</source>
        <translation>रद्द करें</translation>
    </message>
</context>
<context>
    <name>ResetPasswordDialog</name>
    <message>
        <location filename="../ui/users_page.py" line="877"/>
        <source>Reset password</source>
        <translation>पासवर्ड रीसेट करें</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="880"/>
        <source>A new password for %1 (%2). The old one stops working. Tell them the new one in person.</source>
        <translation>%1 (%2) के लिए नया पासवर्ड। पुराना पासवर्ड काम करना बंद कर देगा। नया पासवर्ड उन्हें खुद मिलकर बताएँ।</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="887"/>
        <source>at least 8 characters</source>
        <translation>कम से कम 8 अक्षर</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="889"/>
        <source>New &amp;password:</source>
        <translation>नया पासवर्ड (&amp;P):</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="890"/>
        <source>&amp;Confirm password:</source>
        <translation>पासवर्ड दोबारा लिखें (&amp;C):</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="891"/>
        <source>&amp;Save new password</source>
        <translation>नया पासवर्ड सहेजें (&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="903"/>
        <source>Type the new password.</source>
        <translation>नया पासवर्ड लिखें।</translation>
    </message>
</context>
<context>
    <name>RxPrint</name>
    <message>
        <location filename="../ui/rx_print.py" line="266"/>
        <source>{title}: </source>
        <translation>{title}: </translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="282"/>
        <source>{months} months</source>
        <translation>{months} महीने</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="284"/>
        <source>{years} years {months} months</source>
        <translation>{years} वर्ष {months} महीने</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="287"/>
        <source>{years} years</source>
        <translation>{years} वर्ष</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="297"/>
        <source>video</source>
        <translation>वीडियो</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="298"/>
        <source>audio</source>
        <translation>ऑडियो</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="299"/>
        <source>text</source>
        <translation>टेक्स्ट</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="302"/>
        <source>first consultation</source>
        <translation>पहला परामर्श</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="304"/>
        <source>follow-up</source>
        <translation>फ़ॉलो-अप</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="306"/>
        <source>Teleconsultation by {mode}, {visit}</source>
        <translation>{mode} द्वारा टेलीपरामर्श, {visit}</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="322"/>
        <source>Reg. No. {number}, {council}</source>
        <translation>पंजीकरण सं. {number}, {council}</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="332"/>
        <source>Patient: {name}</source>
        <translation>मरीज़: {name}</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="336"/>
        <source>Age: {age}    Sex: {sex}</source>
        <translation>आयु: {age}    लिंग: {sex}</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="345"/>
        <source>Date: {issued}    Prescription: {id}</source>
        <translation>तारीख: {issued}    प्रिस्क्रिप्शन: {id}</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="359"/>
        <source>{dose}, {frequency}, {route}, for {days} days. Quantity: {quantity} {unit}</source>
        <translation>{dose}, {frequency}, {route}, {days} दिनों के लिए। मात्रा: {quantity} {unit}</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="374"/>
        <source>substitution allowed</source>
        <translation>दूसरा ब्रांड दिया जा सकता है</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="376"/>
        <location filename="../ui/rx_print.py" line="384"/>
        <source>do not substitute</source>
        <translation>दूसरा ब्रांड न दें</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="379"/>
        <source>Brand: {brand} ({substitution})</source>
        <translation>ब्रांड: {brand} ({substitution})</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="386"/>
        <source>Continuation of current treatment</source>
        <translation>चल रहे इलाज को जारी रखना</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="389"/>
        <source>Not in formulary: {reason}</source>
        <translation>फ़ॉर्मुलरी में नहीं: {reason}</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="410"/>
        <source>Digitally signed by {name} (key {key_id})</source>
        <translation>{name} द्वारा डिजिटल हस्ताक्षरित (कुंजी {key_id})</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="417"/>
        <source>This prescription is too long for a printed code: check it in the clinic&apos;s app.</source>
        <translation>यह प्रिस्क्रिप्शन छपे हुए कोड के लिए बहुत लंबा है: इसे क्लिनिक के ऐप में जाँचें।</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="436"/>
        <source>Scan to verify (main.py verify-rx)</source>
        <translation>पुष्टि के लिए स्कैन करें (main.py verify-rx)</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="485"/>
        <source>Superseded by prescription {id}.</source>
        <translation>इसकी जगह प्रिस्क्रिप्शन {id} ने ले ली है।</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="489"/>
        <source>Its signature did not verify: {reason}.</source>
        <translation>इसके हस्ताक्षर की पुष्टि नहीं हुई: {reason}।</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="493"/>
        <location filename="../ui/rx_print.py" line="616"/>
        <location filename="../ui/rx_print.py" line="629"/>
        <source>NOT VALID — DO NOT DISPENSE</source>
        <translation>मान्य नहीं — दवा न दें</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="499"/>
        <source>Chief complaints</source>
        <translation>मुख्य शिकायतें</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="501"/>
        <source>Relevant findings</source>
        <translation>संबंधित निष्कर्ष</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="503"/>
        <source>Provisional diagnosis</source>
        <translation>अनंतिम निदान</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="510"/>
        <source>Advice</source>
        <translation>सलाह</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="512"/>
        <source>Investigations advised</source>
        <translation>सुझाई गई जाँचें</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="517"/>
        <source>Follow-up</source>
        <translation>फ़ॉलो-अप</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="519"/>
        <source>Referral</source>
        <translation>रेफ़रल</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="522"/>
        <source>Correction</source>
        <translation>सुधार</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="523"/>
        <source>This prescription replaces prescription {id}.</source>
        <translation>यह प्रिस्क्रिप्शन, प्रिस्क्रिप्शन {id} की जगह लेता है।</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="598"/>
        <source>Page {n} of {total} · {id}</source>
        <translation>पृष्ठ {n} / {total} · {id}</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="647"/>
        <source>The printer or file could not be opened.</source>
        <translation>प्रिंटर या फ़ाइल नहीं खुल सकी।</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="742"/>
        <source>Prescription {id}</source>
        <translation>प्रिस्क्रिप्शन {id}</translation>
    </message>
    <message>
        <location filename="../ui/rx_print.py" line="758"/>
        <source>Print prescription</source>
        <translation>प्रिस्क्रिप्शन प्रिंट करें</translation>
    </message>
</context>
<context>
    <name>Sparkline</name>
    <message>
        <location filename="../ui/widgets/trend.py" line="52"/>
        <source>No readings yet</source>
        <translation>अभी कोई रीडिंग नहीं</translation>
    </message>
</context>
<context>
    <name>SyncPage</name>
    <message>
        <location filename="../ui/sync_page.py" line="71"/>
        <source>New patient</source>
        <translation>नया मरीज़</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="72"/>
        <source>Patient details changed</source>
        <translation>मरीज़ का विवरण बदला गया</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="73"/>
        <source>Case sent to the hub</source>
        <translation>केस हब को भेजा गया</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="74"/>
        <source>Case withdrawn</source>
        <translation>केस वापस लिया गया</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="75"/>
        <source>Note added to a case</source>
        <translation>केस में नोट जोड़ा गया</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="76"/>
        <source>Reading added to a case</source>
        <translation>केस में रीडिंग जोड़ी गई</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="77"/>
        <source>Reading marked as entered in error</source>
        <translation>रीडिंग को गलती से दर्ज बताया गया</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="80"/>
        <source>Photo or document</source>
        <translation>फ़ोटो या दस्तावेज़</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="84"/>
        <source>Sending records: %1 of %2</source>
        <translation>रिकॉर्ड भेजे जा रहे हैं: %2 में से %1</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="85"/>
        <source>Sending photos: %1 of %2</source>
        <translation>फ़ोटो भेजी जा रही हैं: %2 में से %1</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="86"/>
        <source>Receiving updates from the hub: %1</source>
        <translation>हब से अपडेट आ रहे हैं: %1</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="90"/>
        <source>What</source>
        <translation>क्या</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="91"/>
        <source>Made</source>
        <translation>कब बना</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="92"/>
        <source>The hub&apos;s reason</source>
        <translation>हब का कारण</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="115"/>
        <source>Enrolling with %1…</source>
        <translation>%1 से नामांकन हो रहा है…</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="119"/>
        <source>Not enrolled with a hub</source>
        <translation>किसी हब से नामांकित नहीं</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="121"/>
        <source>Offline since %1</source>
        <translation>%1 से ऑफ़लाइन</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="125"/>
        <source>Online — last sync %1</source>
        <translation>ऑनलाइन — पिछला सिंक %1</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="128"/>
        <source>Enrolled — not synced yet</source>
        <translation>नामांकित — अभी तक सिंक नहीं हुआ</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="135"/>
        <source>%n record(s)</source>
        <translation>%n रिकॉर्ड</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="136"/>
        <source>%n photo(s)</source>
        <translation>%n फ़ोटो</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="140"/>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="148"/>
        <source>Waiting to sync: %1</source>
        <translation>सिंक होना बाकी: %1</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="162"/>
        <source>No reason given</source>
        <translation>कोई कारण नहीं बताया गया</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="172"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="182"/>
        <source>this clinic</source>
        <translation>यह क्लिनिक</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="184"/>
        <source>Enrolled with %1 at %2</source>
        <translation>%2 पर %1 के रूप में नामांकित</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="194"/>
        <source>The last sync did not finish (%1).</source>
        <translation>पिछला सिंक पूरा नहीं हुआ (%1)।</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="227"/>
        <location filename="../ui/sync_page.py" line="378"/>
        <source>Sync</source>
        <translation>सिंक</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="230"/>
        <source>Cases and records you save are kept on this PC and sent to the hub whenever the network allows. This page shows what is still waiting and anything the hub could not accept.</source>
        <translation>आप जो केस और रिकॉर्ड सहेजते हैं वे इसी कंप्यूटर पर रखे जाते हैं और जब भी नेटवर्क मिले, हब को भेजे जाते हैं। यह पेज दिखाता है कि क्या अभी बाकी है और हब ने क्या स्वीकार नहीं किया।</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="255"/>
        <source>Hub:</source>
        <translation>हब:</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="256"/>
        <source>Enrolled as:</source>
        <translation>नामांकित नाम:</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="257"/>
        <source>Connection:</source>
        <translation>कनेक्शन:</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="258"/>
        <source>Last successful sync:</source>
        <translation>पिछला सफल सिंक:</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="259"/>
        <source>Waiting to be sent:</source>
        <translation>भेजा जाना बाकी:</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="268"/>
        <source>This PC is not enrolled with a hub yet, so nothing is sent. Everything saved is kept safely here. To enrol it, choose Enrol this PC and paste the enrolment token the hub printed for this clinic; sending then starts by itself.</source>
        <translation>यह कंप्यूटर अभी किसी हब से नामांकित नहीं है, इसलिए कुछ भेजा नहीं जा रहा। सहेजा गया सब कुछ यहीं सुरक्षित रखा है। इसे नामांकित करने के लिए “इस कंप्यूटर को नामांकित करें” चुनें और हब ने इस क्लिनिक के लिए जो नामांकन टोकन छापा है, उसे पेस्ट करें; उसके बाद भेजना अपने-आप शुरू हो जाएगा।</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="274"/>
        <source>This PC is not enrolled with a hub yet, so nothing is sent. Everything you save is kept safely here. Ask field IT to enrol this PC with the token the hub printed for this clinic; sending then starts by itself.</source>
        <translation>यह कंप्यूटर अभी किसी हब से नामांकित नहीं है, इसलिए कुछ भेजा नहीं जा रहा। आप जो भी सहेजते हैं, वह यहीं सुरक्षित रखा जाता है। हब ने इस क्लिनिक के लिए जो टोकन छापा है, उससे इस कंप्यूटर को नामांकित करने के लिए फ़ील्ड आईटी से कहें; उसके बाद भेजना अपने-आप शुरू हो जाएगा।</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="282"/>
        <source>&amp;Enrol this PC…</source>
        <translation>इस कंप्यूटर को नामांकित करें… (&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="285"/>
        <source>Enrol this PC with a hub using the token the hub printed (Alt+E)</source>
        <translation>हब के छापे टोकन से इस कंप्यूटर को हब से नामांकित करें (Alt+E)</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="289"/>
        <source>&amp;Move to another hub…</source>
        <translation>दूसरे हब पर ले जाएँ (&amp;M)…</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="292"/>
        <source>Enrol this clinic with another hub instead of this one (Alt+M)</source>
        <translation>इस क्लिनिक को इस हब की जगह किसी दूसरे हब से नामांकित करें (Alt+M)</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="305"/>
        <source>&amp;Sync now</source>
        <translation>अभी सिंक करें (&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="307"/>
        <source>Send and receive now (Alt+S)</source>
        <translation>अभी भेजें और प्राप्त करें (Alt+S)</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="319"/>
        <source>Needs attention</source>
        <translation>ध्यान देना ज़रूरी</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="325"/>
        <source>Changes the hub could not accept</source>
        <translation>बदलाव जिन्हें हब स्वीकार नहीं कर सका</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="339"/>
        <source>Send &amp;again</source>
        <translation>फिर से भेजें (&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="342"/>
        <source>Put the chosen change back in the queue once its cause is fixed (Alt+A)</source>
        <translation>कारण ठीक होने के बाद चुने गए बदलाव को फिर से कतार में डालें (Alt+A)</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="438"/>
        <source>No hub yet</source>
        <translation>अभी कोई हब नहीं</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="453"/>
        <source>Never</source>
        <translation>कभी नहीं</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="458"/>
        <source>%1 (hub time %2)</source>
        <translation>%1 (हब का समय %2)</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="468"/>
        <source>Last attempt %1: %2</source>
        <translation>पिछला प्रयास %1: %2</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="479"/>
        <source>⚠ This PC&apos;s clock is about %1 minute(s) behind the hub&apos;s. Set the correct time in Windows, or ask field IT: times on printouts would be wrong.</source>
        <translation>⚠ इस कंप्यूटर की घड़ी हब की घड़ी से लगभग %1 मिनट पीछे है। Windows में सही समय सेट करें, या फ़ील्ड आईटी से कहें: वरना प्रिंटआउट पर समय गलत होगा।</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="484"/>
        <source>⚠ This PC&apos;s clock is about %1 minute(s) ahead of the hub&apos;s. Set the correct time in Windows, or ask field IT: times on printouts would be wrong.</source>
        <translation>⚠ इस कंप्यूटर की घड़ी हब की घड़ी से लगभग %1 मिनट आगे है। Windows में सही समय सेट करें, या फ़ील्ड आईटी से कहें: वरना प्रिंटआउट पर समय गलत होगा।</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="508"/>
        <source>The hub could not accept these changes. The rest were sent. Read the reason; once it is fixed (often at the hub), choose the change and Send again.</source>
        <translation>हब इन बदलावों को स्वीकार नहीं कर सका। बाकी भेज दिए गए। कारण पढ़ें; उसके ठीक होने पर (अक्सर हब पर), बदलाव चुनें और फिर से भेजें।</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="514"/>
        <source>The hub could not accept these changes. The rest were sent. Clinical staff can send them again once the reason is fixed.</source>
        <translation>हब इन बदलावों को स्वीकार नहीं कर सका। बाकी भेज दिए गए। कारण ठीक होने पर क्लिनिकल स्टाफ़ इन्हें फिर से भेज सकता है।</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="519"/>
        <source>Nothing needs attention.</source>
        <translation>किसी चीज़ पर ध्यान देना ज़रूरी नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="546"/>
        <source>Connecting to the hub…</source>
        <translation>हब से जुड़ रहे हैं…</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="549"/>
        <source>Syncing with the hub…</source>
        <translation>हब के साथ सिंक हो रहा है…</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="567"/>
        <source>Sync finished.</source>
        <translation>सिंक पूरा हुआ।</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="578"/>
        <source>The sync was cancelled.</source>
        <translation>सिंक रद्द कर दिया गया।</translation>
    </message>
    <message>
        <location filename="../ui/sync_page.py" line="633"/>
        <source>“%1” is back in the queue.</source>
        <translation>“%1” फिर से कतार में है।</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <location filename="../ui/users_page.py" line="88"/>
        <source>Paramedic</source>
        <translation>पैरामेडिक</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="89"/>
        <source>Doctor (generalist)</source>
        <translation>डॉक्टर (सामान्य चिकित्सक)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="90"/>
        <source>Administrator (field IT)</source>
        <translation>व्यवस्थापक (फ़ील्ड आईटी)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="94"/>
        <source>Name</source>
        <translation>नाम</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="95"/>
        <source>Username</source>
        <translation>उपयोगकर्ता नाम</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="96"/>
        <source>Role</source>
        <translation>भूमिका</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="97"/>
        <source>Account</source>
        <translation>खाता</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="157"/>
        <source>%1 (you)</source>
        <translation>%1 (आप)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="167"/>
        <source>Switched on</source>
        <translation>चालू</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="168"/>
        <source>Switched off</source>
        <translation>बंद</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="193"/>
        <location filename="../ui/users_page.py" line="223"/>
        <location filename="../ui/users_page.py" line="359"/>
        <source>Staff accounts</source>
        <translation>स्टाफ़ खाते</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="196"/>
        <source>Add the paramedics and doctors who work here; each signs in with their own username and password. Switch off the account of someone who has left: their records stay. Someone who forgot their password gets a new one here.</source>
        <translation>यहाँ काम करने वाले पैरामेडिक और डॉक्टरों को जोड़ें; हर व्यक्ति अपने उपयोगकर्ता नाम और पासवर्ड से साइन इन करता है। जो व्यक्ति चला गया है, उसका खाता बंद करें: उसके रिकॉर्ड बने रहेंगे। जो अपना पासवर्ड भूल गया है, उसे यहाँ नया पासवर्ड मिलता है।</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="204"/>
        <source>&amp;Add staff member…</source>
        <translation>स्टाफ़ सदस्य जोड़ें… (&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="208"/>
        <source>&amp;Reset password…</source>
        <translation>पासवर्ड रीसेट करें… (&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="211"/>
        <location filename="../ui/users_page.py" line="443"/>
        <source>S&amp;witch off account</source>
        <translation>खाता बंद करें (&amp;W)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="266"/>
        <source>This PC&apos;s security</source>
        <translation>इस पीसी की सुरक्षा</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="276"/>
        <source>Minutes without use before this PC locks</source>
        <translation>कितने मिनट इस्तेमाल न होने पर यह पीसी लॉक हो</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="277"/>
        <source>&amp;Lock this PC after</source>
        <translation>इस पीसी को (&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="279"/>
        <source>minutes without use</source>
        <translation>मिनट इस्तेमाल न होने पर लॉक करें</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="280"/>
        <source>&amp;Save</source>
        <translation>सहेजें (&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="291"/>
        <source>A new time applies from the next sign-in on this PC.</source>
        <translation>नया समय इस पीसी पर अगली बार साइन इन करने से लागू होगा।</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="296"/>
        <source>Problem</source>
        <translation>समस्या</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="299"/>
        <source>Make a &amp;new recovery key…</source>
        <translation>नई रिकवरी की बनाएँ (&amp;N)…</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="304"/>
        <source>The recovery key opens the clinic&apos;s data if every password is lost. Make a new one if it is lost or someone else has seen it.</source>
        <translation>सारे पासवर्ड खो जाने पर रिकवरी की से क्लिनिक का डेटा खुलता है। अगर यह खो गई है या किसी और ने इसे देख लिया है, तो नई बनाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="315"/>
        <source>&amp;Back up now…</source>
        <translation>अभी बैकअप लें (&amp;B)…</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="320"/>
        <source>A backup is one encrypted file of everything on this PC, for a USB drive: with it, field IT can set up a new PC if this one is lost or breaks.</source>
        <translation>बैकअप इस पीसी की हर चीज़ की एक एन्क्रिप्टेड फ़ाइल है, जिसे USB ड्राइव पर रखा जाता है: अगर यह पीसी खो जाए या खराब हो जाए, तो इससे फ़ील्ड आईटी नया पीसी तैयार कर सकता है।</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/users_page.py" line="400"/>
        <source>%n account(s) switched on</source>
        <translation>
            <numerusform>%n खाता चालू है</numerusform>
            <numerusform>%n खाते चालू हैं</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/users_page.py" line="402"/>
        <source>%n switched off</source>
        <translation>
            <numerusform>%n बंद है</numerusform>
            <numerusform>%n बंद हैं</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="441"/>
        <source>S&amp;witch on account</source>
        <translation>खाता चालू करें (&amp;W)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="447"/>
        <source>You cannot switch off your own account.</source>
        <translation>आप अपना खुद का खाता बंद नहीं कर सकते।</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="475"/>
        <source>Account added for %1 (%2). They can sign in now.</source>
        <translation>%1 (%2) का खाता जोड़ दिया गया है। वे अब साइन इन कर सकते हैं।</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="483"/>
        <source>New password saved for %1. Give it to them in person.</source>
        <translation>%1 का नया पासवर्ड सहेज दिया गया है। यह उन्हें खुद मिलकर दें।</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="503"/>
        <source>%1 can sign in again.</source>
        <translation>%1 फिर से साइन इन कर सकते हैं।</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="505"/>
        <source>%1&apos;s account is switched off: they can no longer sign in.</source>
        <translation>%1 का खाता बंद कर दिया गया है: वे अब साइन इन नहीं कर सकते।</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/users_page.py" line="564"/>
        <source>This PC will lock after %n minute(s) without use, from the next sign-in.</source>
        <translation>
            <numerusform>अगली बार साइन इन करने से, %n मिनट इस्तेमाल न होने पर यह पीसी लॉक हो जाएगा।</numerusform>
            <numerusform>अगली बार साइन इन करने से, %n मिनट इस्तेमाल न होने पर यह पीसी लॉक हो जाएगा।</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="588"/>
        <source>New recovery key</source>
        <translation>नई रिकवरी की</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="589"/>
        <source>The old recovery key will stop working. Make a new one?</source>
        <translation>पुरानी रिकवरी की काम करना बंद कर देगी। नई बनाएँ?</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="590"/>
        <source>&amp;Make a new key</source>
        <translation>नई की बनाएँ (&amp;M)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="592"/>
        <source>Cancel</source>
        <translation>रद्द करें</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="632"/>
        <source>A new recovery key is made; the old one no longer works.</source>
        <translation>नई रिकवरी की बन गई है; पुरानी अब काम नहीं करती।</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="654"/>
        <source>Backup written: %1</source>
        <translation>बैकअप लिखा गया: %1</translation>
    </message>
</context>
<context>
    <name>VitalsPanel</name>
    <message>
        <location filename="../ui/vitals_panel.py" line="63"/>
        <source>P&amp;ulse:</source>
        <translation>नाड़ी (पल्स) (&amp;U):</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="66"/>
        <source>Respiratory &amp;rate:</source>
        <translation>साँस की दर (&amp;R):</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="70"/>
        <source>Sp&amp;O₂:</source>
        <translation>SpO₂ (&amp;O):</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="73"/>
        <source>&amp;Temperature:</source>
        <translation>तापमान (&amp;T):</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="77"/>
        <source>&amp;Weight:</source>
        <translation>वज़न (&amp;W):</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="78"/>
        <source>&amp;Height:</source>
        <translation>लंबाई (कद) (&amp;H):</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="81"/>
        <source>&amp;Glucose:</source>
        <translation>ग्लूकोज़ (शुगर) (&amp;G):</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="85"/>
        <source>Random</source>
        <translation>रैंडम</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="86"/>
        <source>Fasting</source>
        <translation>फ़ास्टिंग (खाली पेट)</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="149"/>
        <source>&amp;Blood pressure:</source>
        <translation>ब्लड प्रेशर (BP) (&amp;B):</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="170"/>
        <source>Glucose: random or fasting</source>
        <translation>ग्लूकोज़: रैंडम या फ़ास्टिंग</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="186"/>
        <source>Unit</source>
        <translation>इकाई</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="208"/>
        <source>Vital sign</source>
        <translation>जीवन संकेत</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="209"/>
        <source>Reading</source>
        <translation>रीडिंग</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="210"/>
        <source>Flag</source>
        <translation>आकलन</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="211"/>
        <source>Source</source>
        <translation>स्रोत</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="212"/>
        <source>Time</source>
        <translation>समय</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="218"/>
        <source>Readings recorded</source>
        <translation>दर्ज रीडिंग</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="220"/>
        <source>No readings yet. Type a value and press Enter.</source>
        <translation>अभी कोई रीडिंग नहीं। मान लिखें और Enter दबाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="223"/>
        <source>Con&amp;firm urgent value is correct</source>
        <translation>अत्यावश्यक मान सही है, पुष्टि करें (&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="226"/>
        <source>Re&amp;move reading (entered in error)</source>
        <translation>रीडिंग हटाएँ (गलती से दर्ज) (&amp;M)</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="239"/>
        <source>Rea&amp;dings recorded:</source>
        <translation>दर्ज रीडिंग (&amp;D):</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="349"/>
        <source>Enter a number, e.g. 98.6</source>
        <translation>संख्या लिखें, जैसे 98.6</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="368"/>
        <source>Enter both numbers, e.g. 120 / 80</source>
        <translation>दोनों संख्याएँ लिखें, जैसे 120 / 80</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="372"/>
        <source>Enter a number, e.g. 120 / 80</source>
        <translation>संख्या लिखें, जैसे 120 / 80</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="400"/>
        <source>Urgent value. Measure again; if it is right, select it below and press “Confirm urgent value is correct”.</source>
        <translation>अत्यावश्यक मान। दोबारा मापें; अगर यह सही है, तो इसे नीचे चुनें और “अत्यावश्यक मान सही है, पुष्टि करें” दबाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="443"/>
        <source>%1 — not yet confirmed</source>
        <translation>%1 — अभी पुष्टि नहीं हुई</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="445"/>
        <source>%1 — confirmed</source>
        <translation>%1 — पुष्टि हो गई</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="447"/>
        <source>a device</source>
        <translation>एक उपकरण</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="448"/>
        <source>From %1</source>
        <translation>%1 से</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="450"/>
        <source>Typed</source>
        <translation>हाथ से दर्ज</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="467"/>
        <source>Time on the device: %1</source>
        <translation>उपकरण पर समय: %1</translation>
    </message>
    <message>
        <location filename="../ui/vitals_panel.py" line="525"/>
        <source>Reading removed (kept in the record as entered in error).</source>
        <translation>रीडिंग हटा दी गई (रिकॉर्ड में “गलती से दर्ज” के रूप में रखी गई है)।</translation>
    </message>
</context>
<context>
    <name>_AccountDialog</name>
    <message>
        <location filename="../ui/users_page.py" line="677"/>
        <source>Problem</source>
        <translation>समस्या</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="681"/>
        <source>&amp;Save</source>
        <translation>सहेजें (&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="687"/>
        <source>Cancel</source>
        <translation>रद्द करें</translation>
    </message>
    <message>
        <location filename="../ui/users_page.py" line="739"/>
        <source>The two passwords are not the same. Type the password again.</source>
        <translation>दोनों पासवर्ड एक जैसे नहीं हैं। पासवर्ड फिर से लिखें।</translation>
    </message>
</context>
<context>
    <name>badges</name>
    <message>
        <location filename="../ui/widgets/badges.py" line="25"/>
        <source>Draft</source>
        <translation>ड्राफ़्ट</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="26"/>
        <source>Queued — waiting for network</source>
        <translation>कतार में — नेटवर्क का इंतज़ार</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="27"/>
        <source>Sent to hub</source>
        <translation>हब को भेजा गया</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="28"/>
        <source>At hub</source>
        <translation>हब पर</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="29"/>
        <source>Prescribed</source>
        <translation>प्रिस्क्रिप्शन मिला</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="30"/>
        <source>Closed</source>
        <translation>बंद</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="31"/>
        <source>Cancelled</source>
        <translation>रद्द</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="32"/>
        <source>Needs attention</source>
        <translation>ध्यान देना ज़रूरी</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="48"/>
        <source>Routine</source>
        <translation>सामान्य (रूटीन)</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="49"/>
        <location filename="../ui/widgets/badges.py" line="62"/>
        <source>Urgent</source>
        <translation>अत्यावश्यक</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="50"/>
        <source>Emergency</source>
        <translation>आपातकालीन</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="60"/>
        <source>Normal</source>
        <translation>सामान्य</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="61"/>
        <source>Abnormal</source>
        <translation>असामान्य</translation>
    </message>
    <message>
        <location filename="../ui/widgets/badges.py" line="63"/>
        <source>Not assessed</source>
        <translation>आकलन नहीं हुआ</translation>
    </message>
</context>
<context>
    <name>clinical</name>
    <message>
        <location filename="../ui/clinical_text.py" line="38"/>
        <source>Systolic BP</source>
        <translation>सिस्टोलिक BP</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="39"/>
        <source>Diastolic BP</source>
        <translation>डायस्टोलिक BP</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="40"/>
        <source>Pulse</source>
        <translation>नाड़ी (पल्स)</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="41"/>
        <source>Respiratory rate</source>
        <translation>साँस की दर</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="42"/>
        <source>SpO₂</source>
        <translation>SpO₂</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="43"/>
        <source>Temperature</source>
        <translation>तापमान</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="44"/>
        <source>Weight</source>
        <translation>वज़न</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="45"/>
        <source>Height</source>
        <translation>लंबाई (कद)</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="46"/>
        <source>BMI</source>
        <translation>BMI</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="47"/>
        <source>Glucose (random)</source>
        <translation>ग्लूकोज़ (रैंडम)</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="48"/>
        <source>Glucose (fasting)</source>
        <translation>ग्लूकोज़ (फ़ास्टिंग)</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="49"/>
        <source>MUAC</source>
        <translation>MUAC</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="50"/>
        <source>Mean BP</source>
        <translation>औसत BP</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="67"/>
        <source>M</source>
        <translation>पुरुष</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="68"/>
        <source>F</source>
        <translation>महिला</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="69"/>
        <source>O</source>
        <translation>अन्य</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="70"/>
        <source>?</source>
        <translation>?</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="74"/>
        <source>Male</source>
        <translation>पुरुष</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="75"/>
        <source>Female</source>
        <translation>महिला</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="76"/>
        <source>Other</source>
        <translation>अन्य</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="77"/>
        <source>Not recorded</source>
        <translation>दर्ज नहीं</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="81"/>
        <source>similar name</source>
        <translation>मिलता-जुलता नाम</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="82"/>
        <source>same phone</source>
        <translation>वही फ़ोन</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="83"/>
        <source>same village</source>
        <translation>वही गाँव</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="84"/>
        <source>similar age</source>
        <translation>मिलती-जुलती उम्र</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="85"/>
        <source>same sex</source>
        <translation>वही लिंग</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="86"/>
        <source>same ABHA number</source>
        <translation>वही ABHA नंबर</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="87"/>
        <source>same guardian</source>
        <translation>वही अभिभावक</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="138"/>
        <source>%1 m</source>
        <translation>%1 माह</translation>
    </message>
    <message>
        <location filename="../ui/clinical_text.py" line="141"/>
        <source>%1 y</source>
        <translation>%1 वर्ष</translation>
    </message>
</context>
<context>
    <name>devices</name>
    <message>
        <location filename="../ui/pair_dialog.py" line="72"/>
        <location filename="../ui/pair_dialog.py" line="80"/>
        <source>Bluetooth device</source>
        <translation>ब्लूटूथ उपकरण</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="73"/>
        <source>Contec oximeter (USB cable)</source>
        <translation>Contec ऑक्सीमीटर (USB केबल)</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="74"/>
        <source>Weighing scale (serial)</source>
        <translation>वज़न मशीन (सीरियल)</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="75"/>
        <source>Bedside monitor (HL7)</source>
        <translation>बेडसाइड मॉनिटर (HL7)</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="81"/>
        <source>Pulse oximeter (CMS50)</source>
        <translation>पल्स ऑक्सीमीटर (CMS50)</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="82"/>
        <source>Weighing scale</source>
        <translation>वज़न मशीन</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="83"/>
        <source>Bedside monitor</source>
        <translation>बेडसाइड मॉनिटर</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="89"/>
        <source>blood pressure</source>
        <translation>ब्लड प्रेशर</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="90"/>
        <source>SpO₂ and pulse</source>
        <translation>SpO₂ और नाड़ी</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="91"/>
        <source>temperature</source>
        <translation>तापमान</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="92"/>
        <source>weight</source>
        <translation>वज़न</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="93"/>
        <source>blood glucose</source>
        <translation>ब्लड ग्लूकोज़</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="94"/>
        <source>heart rate</source>
        <translation>हृदय गति</translation>
    </message>
    <message>
        <location filename="../ui/pair_dialog.py" line="108"/>
        <source>Give the device a name.</source>
        <translation>उपकरण को एक नाम दें।</translation>
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <location filename="../ui/messages.py" line="29"/>
        <source>Enter the patient&apos;s name.</source>
        <translation>मरीज़ का नाम लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="30"/>
        <source>Choose the patient&apos;s sex.</source>
        <translation>मरीज़ का लिंग चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="31"/>
        <source>Enter the date of birth, or the age in years if the date is not known.</source>
        <translation>जन्म तिथि लिखें, या तारीख़ पता न हो तो उम्र वर्षों में लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="34"/>
        <source>Check the age: it must be between 0 and 120 years.</source>
        <translation>उम्र जाँचें: यह 0 से 120 वर्ष के बीच होनी चाहिए।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="37"/>
        <source>The date of birth is in the future. Check the date.</source>
        <translation>जन्म तिथि भविष्य की है। तारीख़ जाँचें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="40"/>
        <source>A mobile number has 10 digits. Check the number or leave it empty.</source>
        <translation>मोबाइल नंबर में 10 अंक होते हैं। नंबर जाँचें या इसे खाली छोड़ दें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="43"/>
        <source>Enter the village or town.</source>
        <translation>गाँव या कस्बे का नाम लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="44"/>
        <source>This patient may already be registered ({matches} similar records). Open the existing record, or confirm that this is a different person.</source>
        <translation>यह मरीज़ शायद पहले से पंजीकृत है ({matches} मिलते-जुलते रिकॉर्ड)। पहले वाला रिकॉर्ड खोलें, या पुष्टि करें कि यह कोई दूसरा व्यक्ति है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="49"/>
        <source>This patient record was not found.</source>
        <translation>मरीज़ का यह रिकॉर्ड नहीं मिला।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="51"/>
        <source>An ABHA number has 14 digits.</source>
        <translation>ABHA नंबर में 14 अंक होते हैं।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="52"/>
        <source>An ABHA number has only digits (hyphens and spaces are allowed).</source>
        <translation>ABHA नंबर में केवल अंक होते हैं (हाइफ़न और स्पेस चल सकते हैं)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="55"/>
        <source>This ABHA number is not valid: its last digit does not match. Check each digit against the ABHA card.</source>
        <translation>यह ABHA नंबर सही नहीं है: इसका आख़िरी अंक मेल नहीं खाता। ABHA कार्ड से हर अंक मिलाकर देखें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="60"/>
        <source>This is not a valid ABHA address (for example: name@abdm).</source>
        <translation>यह सही ABHA पता नहीं है (उदाहरण: name@abdm)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="64"/>
        <source>Unknown vital sign ({code}).</source>
        <translation>अज्ञात जीवन संकेत ({code})।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="65"/>
        <source>The unit {unit} cannot be used here. Use one of: {allowed}.</source>
        <translation>इकाई {unit} यहाँ इस्तेमाल नहीं हो सकती। इनमें से कोई एक इस्तेमाल करें: {allowed}।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="68"/>
        <source>{name} {value} {unit} is below the lowest possible value ({limit} {limit_unit}). Check the reading and the unit.</source>
        <translation>{name} {value} {unit} सबसे कम संभव मान ({limit} {limit_unit}) से भी कम है। रीडिंग और इकाई जाँचें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="73"/>
        <source>{name} {value} {unit} is above the highest possible value ({limit} {limit_unit}). Check the reading and the unit.</source>
        <translation>{name} {value} {unit} सबसे ज़्यादा संभव मान ({limit} {limit_unit}) से भी ज़्यादा है। रीडिंग और इकाई जाँचें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="78"/>
        <source>{value} looks like a temperature in °F. Choose °F as the unit, or check it.</source>
        <translation>{value} °F में तापमान लगता है। इकाई °F चुनें, या मान जाँचें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="81"/>
        <source>The systolic pressure ({systolic}) must be higher than the diastolic ({diastolic}). Check that they are not swapped.</source>
        <translation>सिस्टोलिक प्रेशर ({systolic}) डायस्टोलिक ({diastolic}) से ज़्यादा होना चाहिए। जाँचें कि दोनों आपस में बदल तो नहीं गए।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="86"/>
        <source>{name} is counted in whole numbers: {value} has decimals.</source>
        <translation>{name} पूरी संख्या में गिना जाता है: {value} में दशमलव है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="90"/>
        <source>This case cannot go from “{from}” to “{to}”.</source>
        <translation>यह केस “{from}” से “{to}” में नहीं जा सकता।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="93"/>
        <source>Record the patient&apos;s consent before sending the case to the hub.</source>
        <translation>केस हब को भेजने से पहले मरीज़ की सहमति दर्ज करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="96"/>
        <source>Enter the chief complaint.</source>
        <translation>मुख्य शिकायत लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="97"/>
        <source>Choose the specialty to send the case to.</source>
        <translation>वह विशेषज्ञता चुनें जिसे केस भेजना है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="100"/>
        <source>This case has already been sent (status: {status}) and can no longer be edited. Add an addendum instead.</source>
        <translation>यह केस पहले ही भेजा जा चुका है (स्थिति: {status}) और अब इसमें बदलाव नहीं हो सकता। इसकी जगह अतिरिक्त नोट (addendum) जोड़ें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="105"/>
        <source>This case was not found.</source>
        <translation>यह केस नहीं मिला।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="107"/>
        <source>Wrong username or password.</source>
        <translation>उपयोगकर्ता नाम या पासवर्ड गलत है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="108"/>
        <source>This account has been switched off. Ask the administrator.</source>
        <translation>यह खाता बंद कर दिया गया है। व्यवस्थापक से पूछें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="111"/>
        <source>Too many wrong passwords. Try again in {seconds} seconds.</source>
        <translation>बहुत बार गलत पासवर्ड डाला गया। {seconds} सेकंड बाद फिर से कोशिश करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="114"/>
        <source>That username is already in use. Choose another.</source>
        <translation>यह उपयोगकर्ता नाम पहले से इस्तेमाल में है। कोई दूसरा चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="117"/>
        <source>A username has 2 to 32 characters: small letters a–z, digits, “.”, “_” or “-”.</source>
        <translation>उपयोगकर्ता नाम में 2 से 32 अक्षर होते हैं: अंग्रेज़ी के छोटे अक्षर a–z, अंक, “.”, “_” या “-”।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="121"/>
        <source>A password needs at least {min} characters.</source>
        <translation>पासवर्ड में कम से कम {min} अक्षर होने चाहिए।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="124"/>
        <source>An administrator account already exists. Sign in instead.</source>
        <translation>व्यवस्थापक का खाता पहले से मौजूद है। इसके बजाय साइन इन करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="127"/>
        <source>Choose between {min} and {max} minutes before the screen locks.</source>
        <translation>स्क्रीन लॉक होने का समय {min} से {max} मिनट के बीच चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="130"/>
        <source>This PC&apos;s data is not encrypted yet, so it has no recovery key.</source>
        <translation>इस पीसी का डेटा अभी एन्क्रिप्ट नहीं हुआ है, इसलिए इसकी कोई रिकवरी की नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="133"/>
        <source>The recovery key is mistyped: check each group of five letters and digits against the paper.</source>
        <translation>रिकवरी की गलत टाइप हुई है: पाँच अक्षरों और अंकों के हर समूह को कागज़ से मिलाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="138"/>
        <source>This is not the recovery key of this PC. Check the paper is for this clinic.</source>
        <translation>यह इस पीसी की रिकवरी की नहीं है। जाँचें कि कागज़ इसी क्लिनिक का है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="141"/>
        <source>No administrator account has this username on this PC. Only an administrator can be signed in with the recovery key; they then reset the others&apos; passwords.</source>
        <translation>इस पीसी पर इस उपयोगकर्ता नाम का कोई व्यवस्थापक खाता नहीं है। रिकवरी की से केवल व्यवस्थापक साइन इन कर सकता है; फिर वह दूसरों के पासवर्ड रीसेट करता है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="146"/>
        <source>This staff account was not found.</source>
        <translation>यह स्टाफ़ खाता नहीं मिला।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="147"/>
        <source>Your role ({role}) is not allowed to do this.</source>
        <translation>आपकी भूमिका ({role}) को यह करने की अनुमति नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="151"/>
        <source>The file {name} could not be read. It may be damaged.</source>
        <translation>फ़ाइल {name} पढ़ी नहीं जा सकी। हो सकता है यह खराब हो।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="154"/>
        <source>The file {name} is too large (the limit is {limit_mb} MB).</source>
        <translation>फ़ाइल {name} बहुत बड़ी है (सीमा {limit_mb} MB है)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="157"/>
        <source>The file {name} cannot be attached. Attach a photo (JPEG or PNG) or a PDF.</source>
        <translation>फ़ाइल {name} नहीं जोड़ी जा सकती। फ़ोटो (JPEG या PNG) या PDF जोड़ें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="161"/>
        <source>The disk is full, so nothing could be saved. Free some space on this PC, then try again. Nothing already saved has been lost.</source>
        <translation>डिस्क भर गई है, इसलिए कुछ भी सहेजा नहीं जा सका। इस कंप्यूटर पर कुछ जगह खाली करें, फिर से कोशिश करें। पहले से सहेजा गया कुछ भी नहीं खोया है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="166"/>
        <source>The clinic database is busy (another program may be using it). Try again in a moment.</source>
        <translation>क्लिनिक का डेटाबेस व्यस्त है (शायद कोई दूसरा प्रोग्राम इसे इस्तेमाल कर रहा है)। थोड़ी देर में फिर से कोशिश करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="170"/>
        <source>The clinic database is damaged ({path}). Stop using this PC for records and call your IT support.</source>
        <translation>क्लिनिक का डेटाबेस खराब हो गया है ({path})। इस कंप्यूटर पर रिकॉर्ड दर्ज करना बंद करें और अपने IT सहायता कर्मी को फ़ोन करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="175"/>
        <source>The clinic database cannot be written ({path}). Check that the disk is not write-protected, or call your IT support.</source>
        <translation>क्लिनिक के डेटाबेस में लिखा नहीं जा सकता ({path})। जाँचें कि डिस्क राइट-प्रोटेक्टेड तो नहीं है, या अपने IT सहायता कर्मी को फ़ोन करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="180"/>
        <source>The clinic database was written by a newer version of HWC Spoke (version {version}; this program reads up to {supported}). Install the newer version; do not use this one with it.</source>
        <translation>क्लिनिक का डेटाबेस HWC Spoke के नए संस्करण ने लिखा है (संस्करण {version}; यह प्रोग्राम केवल {supported} तक पढ़ सकता है)। नया संस्करण इंस्टॉल करें; इस डेटाबेस के साथ यह पुराना संस्करण इस्तेमाल न करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="186"/>
        <source>This record is no longer there. Go back and open it again.</source>
        <translation>यह रिकॉर्ड अब मौजूद नहीं है। वापस जाएँ और इसे फिर से खोलें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="189"/>
        <source>Someone else changed this record meanwhile. Open it again to see their change, then make yours.</source>
        <translation>इस बीच किसी और ने यह रिकॉर्ड बदल दिया है। उनका बदलाव देखने के लिए इसे फिर से खोलें, फिर अपना बदलाव करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="194"/>
        <source>An attached file is missing from this PC. Call your IT support.</source>
        <translation>जोड़ी गई एक फ़ाइल इस कंप्यूटर पर नहीं मिल रही है। अपने IT सहायता कर्मी को फ़ोन करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="197"/>
        <source>The clinic database has been closed. Restart HWC Spoke.</source>
        <translation>क्लिनिक का डेटाबेस बंद हो गया है। HWC Spoke को फिर से शुरू करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="200"/>
        <source>The clinic database reported a problem, so this was not saved. Try again; if it happens again, call your IT support.</source>
        <translation>क्लिनिक के डेटाबेस में समस्या आई, इसलिए यह सहेजा नहीं गया। फिर से कोशिश करें; अगर दोबारा ऐसा हो, तो अपने IT सहायता कर्मी को फ़ोन करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="206"/>
        <source>Enter who gave consent (the patient or the person on their behalf).</source>
        <translation>लिखें कि सहमति किसने दी (मरीज़ ने या उनकी ओर से किसी व्यक्ति ने)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="209"/>
        <source>Choose how the person who consented is related to the patient.</source>
        <translation>चुनें कि सहमति देने वाले व्यक्ति का मरीज़ से क्या संबंध है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="212"/>
        <source>Choose a specialty from the list.</source>
        <translation>सूची से एक विशेषज्ञता चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="213"/>
        <source>Choose the level of consciousness from the list (alert, confused, …).</source>
        <translation>सूची से होश का स्तर चुनें (सचेत, उलझन, …)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="216"/>
        <source>This reading was not found. It may have been removed already.</source>
        <translation>यह रीडिंग नहीं मिली। हो सकता है इसे पहले ही हटा दिया गया हो।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="220"/>
        <source>This PC is not enrolled with a hub yet. Ask field IT to enrol it.</source>
        <translation>यह कंप्यूटर अभी किसी हब से नामांकित नहीं है। फ़ील्ड आईटी से इसे नामांकित करवाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="223"/>
        <source>The enrolment was not accepted: {message}. Check the hub address and token.</source>
        <translation>नामांकन स्वीकार नहीं हुआ: {message}। हब का पता और टोकन जाँचें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="226"/>
        <source>This change is no longer waiting for attention. It may have been sent again.</source>
        <translation>यह बदलाव अब ध्यान की प्रतीक्षा में नहीं है। शायद इसे फिर से भेजा जा चुका है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="230"/>
        <source>This PC is already enrolled with the hub at {hub}. It keeps sending to that hub.</source>
        <translation>यह कंप्यूटर पहले से {hub} वाले हब से नामांकित है। यह उसी हब को भेजता रहेगा।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="234"/>
        <source>Warning: the hub at {hub} did not prove that it is the hub that printed this token. Someone may be intercepting the connection. Nothing was sent and this PC was not enrolled. Do not try again: check the hub&apos;s address with the hub&apos;s administrator, and ask for a new token if needed.</source>
        <translation>चेतावनी: {hub} वाला हब यह साबित नहीं कर सका कि यह टोकन उसी ने छापा है। हो सकता है कोई इस कनेक्शन को बीच में पकड़ (इंटरसेप्ट कर) रहा हो। कुछ भी नहीं भेजा गया और यह कंप्यूटर नामांकित नहीं हुआ। दोबारा कोशिश न करें: हब का पता हब के व्यवस्थापक से जाँचें, और ज़रूरत हो तो नया टोकन माँगें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="241"/>
        <source>The hub at {hub} does not know this token. Check that it is the token this hub printed, or ask its administrator for a new one.</source>
        <translation>{hub} वाला हब इस टोकन को नहीं पहचानता। जाँचें कि यह वही टोकन है जो इस हब ने छापा था, या इसके व्यवस्थापक से नया टोकन माँगें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="246"/>
        <source>This token was already used to enrol a PC, and each token works only once. Ask the administrator of the hub at {hub} for a new token for this clinic.</source>
        <translation>यह टोकन पहले ही एक कंप्यूटर को नामांकित करने में इस्तेमाल हो चुका है, और हर टोकन केवल एक बार काम करता है। इस क्लिनिक के लिए नया टोकन {hub} वाले हब के व्यवस्थापक से माँगें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="251"/>
        <source>This token has expired. Ask the administrator of the hub at {hub} for a new one.</source>
        <translation>इस टोकन की समय-सीमा खत्म हो गई है। {hub} वाले हब के व्यवस्थापक से नया टोकन माँगें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="255"/>
        <source>The hub at {hub} could not be reached. Check the network and the hub&apos;s address, then try again.</source>
        <translation>{hub} वाले हब तक नहीं पहुँचा जा सका। नेटवर्क और हब का पता जाँचें, फिर दोबारा कोशिश करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="260"/>
        <source>A secure connection to the hub at {hub} could not be made. Check the hub&apos;s address; if it is right, tell the hub&apos;s administrator.</source>
        <translation>{hub} वाले हब से सुरक्षित कनेक्शन नहीं बन सका। हब का पता जाँचें; अगर वह सही है, तो हब के व्यवस्थापक को बताएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="265"/>
        <source>Enrolling with the hub at {hub} did not work ({message}). Try again; if it keeps failing, tell the hub&apos;s administrator.</source>
        <translation>{hub} वाले हब से नामांकन नहीं हो सका ({message})। दोबारा कोशिश करें; अगर बार-बार ऐसा हो, तो हब के व्यवस्थापक को बताएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="271"/>
        <source>The provisioning file {path} was not used: {message}. Ask field IT for a correct one, or enrol this PC on the Sync page.</source>
        <translation>प्रोविज़निंग फ़ाइल {path} इस्तेमाल नहीं हुई: {message}। फ़ील्ड आईटी से सही फ़ाइल माँगें, या सिंक पेज पर इस पीसी को नामांकित करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="276"/>
        <source>The provisioning file {path} could not be read. Ask field IT to check its rights, or enrol this PC on the Sync page.</source>
        <translation>प्रोविज़निंग फ़ाइल {path} पढ़ी नहीं जा सकी। फ़ील्ड आईटी से इसकी अनुमतियाँ जाँचने को कहें, या सिंक पेज पर इस पीसी को नामांकित करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="281"/>
        <source>The provisioning file {path} could not be deleted: this PC has no rights to it. Its token was used once and will not be used again, but it should not stay on this PC: ask field IT to delete the file.</source>
        <translation>प्रोविज़निंग फ़ाइल {path} हटाई नहीं जा सकी: इस पीसी को इसकी अनुमति नहीं है। इसका टोकन एक बार इस्तेमाल हो चुका है और दोबारा इस्तेमाल नहीं होगा, लेकिन यह फ़ाइल इस पीसी पर नहीं रहनी चाहिए: फ़ील्ड आईटी से इसे हटाने को कहें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="287"/>
        <source>This PC is enrolled with the hub at {current}. The provisioning file {path} names the hub at {hub} and was not used. To move this clinic to that hub, use Move to another hub on the Sync page; otherwise ask field IT to delete the file.</source>
        <translation>यह पीसी {current} वाले हब से नामांकित है। प्रोविज़निंग फ़ाइल {path} में {hub} वाला हब लिखा है, इसलिए इसे इस्तेमाल नहीं किया गया। इस क्लिनिक को उस हब पर ले जाने के लिए सिंक पेज पर “दूसरे हब पर ले जाएँ” इस्तेमाल करें; नहीं तो फ़ील्ड आईटी से यह फ़ाइल हटाने को कहें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="293"/>
        <source>{records} record(s) and {photos} photo(s) have not reached the current hub yet. Sync first and move when nothing is waiting, or move anyway: they then go to the new hub with the clinic&apos;s history.</source>
        <translation>{records} रिकॉर्ड और {photos} फ़ोटो अभी तक मौजूदा हब तक नहीं पहुँचे हैं। पहले सिंक करें और जब कुछ भी बाकी न हो तब ले जाएँ, या फिर भी ले जाएँ: तब ये क्लिनिक के इतिहास के साथ नए हब को जाएँगे।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="300"/>
        <source>The sync was cancelled.</source>
        <translation>सिंक रद्द कर दिया गया।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="301"/>
        <source>A sync is already running. Its result will show here when it ends.</source>
        <translation>एक सिंक पहले से चल रहा है। उसके पूरा होने पर नतीजा यहाँ दिखेगा।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="304"/>
        <source>Some records got no answer from the hub. They will be sent again.</source>
        <translation>कुछ रिकॉर्ड का हब से कोई जवाब नहीं मिला। उन्हें फिर से भेजा जाएगा।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="307"/>
        <source>The sync stopped because of an error on this PC. Tell your IT support.</source>
        <translation>इस कंप्यूटर पर एक गड़बड़ी के कारण सिंक रुक गया। अपने आईटी सहायक को बताएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="310"/>
        <source>The last sync did not finish.</source>
        <translation>पिछला सिंक पूरा नहीं हुआ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="311"/>
        <source>The hub could not be reached. Check the network; sending resumes by itself.</source>
        <translation>हब तक नहीं पहुँच सके। नेटवर्क जाँचें; भेजना अपने-आप फिर शुरू होगा।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="314"/>
        <source>The hub did not answer in time. The network may be slow; it will try again.</source>
        <translation>हब ने समय पर जवाब नहीं दिया। नेटवर्क धीमा हो सकता है; यह फिर से कोशिश करेगा।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="317"/>
        <source>The hub&apos;s answer was cut off. The network may be poor; it will try again.</source>
        <translation>हब का जवाब बीच में कट गया। नेटवर्क कमज़ोर हो सकता है; यह फिर से कोशिश करेगा।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="320"/>
        <source>The hub sent an answer this PC cannot read. Tell your IT support.</source>
        <translation>हब ने ऐसा जवाब भेजा जिसे यह कंप्यूटर पढ़ नहीं सकता। अपने आईटी सहायक को बताएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="323"/>
        <source>The hub is busy or down for a moment. Sending resumes by itself.</source>
        <translation>हब अभी व्यस्त है या कुछ देर के लिए बंद है। भेजना अपने-आप फिर शुरू होगा।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="326"/>
        <source>The hub had a problem. Sending resumes by itself; tell IT if it lasts.</source>
        <translation>हब में कोई समस्या आई। भेजना अपने-आप फिर शुरू होगा; अगर यह बनी रहे तो आईटी को बताएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="329"/>
        <source>The hub did not accept this PC&apos;s enrolment. Ask field IT to enrol it again.</source>
        <translation>हब ने इस कंप्यूटर का नामांकन स्वीकार नहीं किया। फ़ील्ड आईटी से इसे फिर से नामांकित करने को कहें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="332"/>
        <source>The hub&apos;s certificate is not the one this PC trusts, so nothing was sent. Someone may be intercepting the connection: tell field IT.</source>
        <translation>हब का प्रमाणपत्र वह नहीं है जिस पर यह पीसी भरोसा करता है, इसलिए कुछ भी नहीं भेजा गया। हो सकता है कोई कनेक्शन में दखल दे रहा हो: फ़ील्ड आईटी को बताएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="338"/>
        <source>An update from the hub failed its signature or checksum check and was not installed. Tell field IT: the update files on the hub may have been tampered with.</source>
        <translation>हब से आया एक अपडेट अपने हस्ताक्षर या चेकसम की जाँच में असफल रहा और इंस्टॉल नहीं किया गया। फ़ील्ड आईटी को बताएँ: हो सकता है हब पर अपडेट की फ़ाइलों से छेड़छाड़ की गई हो।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="343"/>
        <source>The hub&apos;s update list has expired, so no update was installed. The hub&apos;s release manager must renew it; this app keeps working as it is.</source>
        <translation>हब की अपडेट सूची की अवधि समाप्त हो गई है, इसलिए कोई अपडेट इंस्टॉल नहीं हुआ। हब के रिलीज़ प्रबंधक को इसे नया करना होगा; यह ऐप जैसा है वैसा ही काम करता रहेगा।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="348"/>
        <source>Updates could not be checked: the hub could not be reached. It will try again later.</source>
        <translation>अपडेट जाँचे नहीं जा सके: हब तक पहुँचा नहीं जा सका। बाद में फिर से कोशिश की जाएगी।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="352"/>
        <source>This installation cannot check for updates (it carries no update key). Install a release build to get updates.</source>
        <translation>यह इंस्टॉलेशन अपडेट नहीं जाँच सकता (इसमें अपडेट की कुंजी नहीं है)। अपडेट पाने के लिए रिलीज़ बिल्ड इंस्टॉल करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="357"/>
        <source>The record of installed updates on this PC is damaged; the installed version runs. Tell field IT (docs/UPDATES.md, recovering a PC).</source>
        <translation>इस पीसी पर इंस्टॉल किए गए अपडेट का रिकॉर्ड खराब हो गया है; इंस्टॉल किया हुआ संस्करण चल रहा है। फ़ील्ड आईटी को बताएँ (docs/UPDATES.md, पीसी को ठीक करना)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="362"/>
        <source>The update check stopped because of an error on this PC. Tell your IT support.</source>
        <translation>इस पीसी पर एक त्रुटि के कारण अपडेट की जाँच रुक गई। अपने आईटी सहायक को बताएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="367"/>
        <source>This device is no longer paired. It may have been forgotten already.</source>
        <translation>यह उपकरण अब पेयर नहीं है। हो सकता है इसे पहले ही हटा दिया गया हो।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="370"/>
        <source>A device on {address} is already paired. Rename it or forget it first.</source>
        <translation>{address} पर एक उपकरण पहले से पेयर है। पहले उसका नाम बदलें या उसे हटाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="373"/>
        <source>Choose the kind of device.</source>
        <translation>उपकरण का प्रकार चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="374"/>
        <source>Choose the port, the Bluetooth device or the listening address.</source>
        <translation>पोर्ट, ब्लूटूथ उपकरण या सुनने का पता चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="377"/>
        <source>Give the device a name the staff will recognise.</source>
        <translation>उपकरण को ऐसा नाम दें जिसे स्टाफ़ पहचान ले।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="380"/>
        <source>This device reading is no longer waiting. It was kept or discarded.</source>
        <translation>उपकरण की यह रीडिंग अब बाकी नहीं है। इसे पहले ही रखा या छोड़ा जा चुका है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="383"/>
        <source>Enter {name} as a number.</source>
        <translation>{name} संख्या में लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="385"/>
        <source>This prescription was not found.</source>
        <translation>यह पर्चा नहीं मिला।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="386"/>
        <source>This prescription failed the signature check, so it cannot be acknowledged, dispensed or printed as valid. Ask the specialist to issue it again.</source>
        <translation>यह पर्चा हस्ताक्षर की जाँच में विफल रहा, इसलिए इसे न स्वीकार किया जा सकता है, न दवा दी जा सकती है, न ही इसे मान्य पर्चे के रूप में छापा जा सकता है। विशेषज्ञ से इसे फिर से जारी करने को कहें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="391"/>
        <source>The specialist has corrected this prescription. Dispense from the newer one instead.</source>
        <translation>विशेषज्ञ ने इस पर्चे को सुधार दिया है। इसके बजाय नए पर्चे से दवा दें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="395"/>
        <source>Acknowledge the prescription before recording what was dispensed.</source>
        <translation>दी गई दवाएँ दर्ज करने से पहले पर्चे को स्वीकार करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="398"/>
        <source>The prescription has no item {index}.</source>
        <translation>पर्चे में दवा {index} नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="399"/>
        <source>For each item choose: dispensed, partly, not available or declined.</source>
        <translation>हर दवा के लिए चुनें: दी गई, आंशिक रूप से दी गई, उपलब्ध नहीं, या मरीज़ ने मना किया।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="402"/>
        <source>Enter the quantity handed over as a whole number, 0 or more.</source>
        <translation>दी गई मात्रा पूर्ण संख्या में लिखें, 0 या उससे अधिक।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="405"/>
        <source>Write your question for the specialist.</source>
        <translation>विशेषज्ञ के लिए अपना प्रश्न लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="406"/>
        <source>The question is too long. Keep it under {limit} characters.</source>
        <translation>प्रश्न बहुत लंबा है। इसे {limit} अक्षरों से कम रखें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="410"/>
        <source>This PC&apos;s clinic data is not encrypted yet, so no backup is made of it. Sign in once to encrypt it, then make the backup.</source>
        <translation>इस पीसी का क्लिनिक डेटा अभी एन्क्रिप्ट नहीं हुआ है, इसलिए इसका बैकअप नहीं बनाया जाता। इसे एन्क्रिप्ट करने के लिए एक बार साइन इन करें, फिर बैकअप लें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="415"/>
        <source>The drive holding {folder} is full: the backup was not made, and nothing half-made is left there. Free some space or use a larger USB drive, and try again.</source>
        <translation>{folder} वाली ड्राइव भर गई है: बैकअप नहीं बना, और वहाँ कोई अधूरी फ़ाइल नहीं छोड़ी गई। कुछ जगह खाली करें या बड़ी USB ड्राइव इस्तेमाल करें, और फिर से कोशिश करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="420"/>
        <source>The backup could not be written to {folder}, and nothing half-made is left there. Check the drive (was it taken out?) and try again.</source>
        <translation>बैकअप {folder} में नहीं लिखा जा सका, और वहाँ कोई अधूरी फ़ाइल नहीं छोड़ी गई। ड्राइव जाँचें (कहीं वह निकाल तो नहीं ली गई?) और फिर से कोशिश करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="425"/>
        <location filename="../ui/messages.py" line="826"/>
        <source>The folder {folder} is not there (was the USB drive taken out?). Choose another one.</source>
        <translation>फ़ोल्डर {folder} मौजूद नहीं है (कहीं USB ड्राइव निकाल तो नहीं ली गई?)। कोई दूसरा फ़ोल्डर चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="429"/>
        <source>A backup with this name is already in {folder}. Wait a moment and try again.</source>
        <translation>इस नाम का बैकअप {folder} में पहले से है। थोड़ा रुकें और फिर से कोशिश करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="432"/>
        <source>The backup was cancelled. Nothing was written.</source>
        <translation>बैकअप रद्द कर दिया गया। कुछ भी नहीं लिखा गया।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="435"/>
        <source>The backup file was not found.</source>
        <translation>बैकअप फ़ाइल नहीं मिली।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="436"/>
        <source>This backup is damaged (cut short, or changed since it was made). Nothing was restored from it. Use another backup.</source>
        <translation>यह बैकअप खराब है (अधूरा है, या बनने के बाद इसमें बदलाव हुआ है)। इससे कुछ भी रीस्टोर नहीं किया गया। कोई दूसरा बैकअप इस्तेमाल करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="441"/>
        <source>This file is not an HWC Spoke backup that this version can read. Use a newer version of HWC Spoke, or another backup.</source>
        <translation>यह फ़ाइल ऐसा HWC Spoke बैकअप नहीं है जिसे यह संस्करण पढ़ सके। HWC Spoke का नया संस्करण इस्तेमाल करें, या कोई दूसरा बैकअप।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="446"/>
        <source>This backup holds files it should not: it was not made by HWC Spoke, or it was changed. Nothing was restored from it.</source>
        <translation>इस बैकअप में ऐसी फ़ाइलें हैं जो इसमें नहीं होनी चाहिए: या तो यह HWC Spoke ने नहीं बनाया, या इसमें बदलाव किया गया है। इससे कुछ भी रीस्टोर नहीं किया गया।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="451"/>
        <source>The folder {folder} already holds a clinic database. Nothing was changed. Restore into another folder, or replace it (the folder there now is kept, renamed).</source>
        <translation>फ़ोल्डर {folder} में पहले से एक क्लिनिक डेटाबेस है। कुछ भी नहीं बदला गया। किसी दूसरे फ़ोल्डर में रीस्टोर करें, या उसकी जगह रीस्टोर करें (अभी वहाँ जो फ़ोल्डर है, वह नया नाम देकर रख लिया जाएगा)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="456"/>
        <source>The backup could not be restored into {folder}. The folder there was not changed.</source>
        <translation>बैकअप {folder} में रीस्टोर नहीं हो सका। वहाँ के फ़ोल्डर में कोई बदलाव नहीं हुआ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="461"/>
        <source>Choose a backup every {min} to {max} day(s) (0 switches it off).</source>
        <translation>हर {min} से {max} दिन में एक बैकअप चुनें (0 से यह बंद हो जाता है)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="464"/>
        <source>Choose to keep between {min} and {max} backups.</source>
        <translation>{min} से {max} बैकअप रखना चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="467"/>
        <source>Choose the folder (a USB drive) the backups go to.</source>
        <translation>वह फ़ोल्डर (USB ड्राइव) चुनें जिसमें बैकअप जाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="471"/>
        <source>The data folder is {folder}; {free} free on its drive.</source>
        <translation>डेटा फ़ोल्डर {folder} है; इसकी ड्राइव पर {free} खाली है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="475"/>
        <source>Only {free} free on the drive of the data folder {folder}.</source>
        <translation>डेटा फ़ोल्डर {folder} की ड्राइव पर केवल {free} खाली है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="479"/>
        <source>Only {free} free on the drive of the data folder {folder}: saving may fail at any moment.</source>
        <translation>डेटा फ़ोल्डर {folder} की ड्राइव पर केवल {free} खाली है: किसी भी समय सहेजना विफल हो सकता है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="483"/>
        <source>The data folder {folder} does not exist yet; {free} free on the drive it would be on.</source>
        <translation>डेटा फ़ोल्डर {folder} अभी मौजूद नहीं है; जिस ड्राइव पर यह बनेगा, उस पर {free} खाली है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="487"/>
        <source>The data folder {folder} cannot be used ({reason}).</source>
        <translation>डेटा फ़ोल्डर {folder} इस्तेमाल नहीं किया जा सकता ({reason})।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="491"/>
        <source>The clinic database ({size}) passed its integrity check in {seconds} s.</source>
        <translation>क्लिनिक का डेटाबेस ({size}) {seconds} s में इंटीग्रिटी जाँच में ठीक पाया गया।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="495"/>
        <source>There is no clinic database in {folder}.</source>
        <translation>{folder} में कोई क्लिनिक डेटाबेस नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="499"/>
        <source>The clinic database is damaged: {first_error}.</source>
        <translation>क्लिनिक का डेटाबेस खराब है: {first_error}।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="503"/>
        <source>The clinic database did not open ({error_code}).</source>
        <translation>क्लिनिक का डेटाबेस नहीं खुला ({error_code})।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="507"/>
        <source>The integrity check was stopped after {seconds} s, before it finished.</source>
        <translation>इंटीग्रिटी जाँच पूरी होने से पहले ही {seconds} s के बाद रोक दी गई।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="511"/>
        <source>The clinic database is locked: this needs a sign-in.</source>
        <translation>क्लिनिक का डेटाबेस लॉक है: इसके लिए साइन इन ज़रूरी है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="515"/>
        <source>The clinic database is encrypted; the key file has {users} staff password(s) and the recovery key.</source>
        <translation>क्लिनिक का डेटाबेस एन्क्रिप्टेड है; की-फ़ाइल में {users} स्टाफ़ पासवर्ड और रिकवरी की है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="520"/>
        <source>The clinic database is encrypted ({users} staff password(s)), but its recovery key has not been shown to anyone yet.</source>
        <translation>क्लिनिक का डेटाबेस एन्क्रिप्टेड है ({users} स्टाफ़ पासवर्ड), लेकिन इसकी रिकवरी की अभी तक किसी को दिखाई नहीं गई है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="525"/>
        <source>The clinic database is encrypted ({users} staff password(s) and the recovery key) and locked: only part of the checks could run.</source>
        <translation>क्लिनिक का डेटाबेस एन्क्रिप्टेड ({users} स्टाफ़ पासवर्ड और रिकवरी की) और लॉक है: केवल कुछ जाँचें ही चल सकीं।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="530"/>
        <source>The clinic database is not encrypted yet.</source>
        <translation>क्लिनिक का डेटाबेस अभी एन्क्रिप्ट नहीं हुआ है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="534"/>
        <source>No database yet: it is made encrypted when the app first starts.</source>
        <translation>अभी कोई डेटाबेस नहीं है: ऐप पहली बार शुरू होने पर यह एन्क्रिप्टेड ही बनता है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="538"/>
        <source>The key file (keyslots.json) cannot be read.</source>
        <translation>की-फ़ाइल (keyslots.json) पढ़ी नहीं जा सकती।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="542"/>
        <source>Enrolled as spoke {spoke} ({facility}) with the hub at {hub}.</source>
        <translation>{hub} वाले हब से स्पोक {spoke} ({facility}) के रूप में नामांकित।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="546"/>
        <source>This PC is not enrolled with a hub: cases stay on this PC.</source>
        <translation>यह पीसी किसी हब से नामांकित नहीं है: केस इसी पीसी पर रहते हैं।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="550"/>
        <source>The hub at {hub} answered in {ms} ms, over a secure connection with the certificate pinned at enrolment.</source>
        <translation>{hub} वाले हब ने {ms} ms में जवाब दिया, सुरक्षित कनेक्शन पर और उसी प्रमाणपत्र के साथ जो नामांकन के समय पिन किया गया था।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="555"/>
        <source>The hub at {hub} answered in {ms} ms, over plain HTTP (not encrypted on the way).</source>
        <translation>{hub} वाले हब ने {ms} ms में जवाब दिया, सादे HTTP पर (रास्ते में एन्क्रिप्ट नहीं)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="559"/>
        <source>The hub at {hub} could not be reached ({error_code}).</source>
        <translation>{hub} वाले हब तक नहीं पहुँचा जा सका ({error_code})।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="563"/>
        <source>The hub at {hub} did not answer within {seconds} s.</source>
        <translation>{hub} वाले हब ने {seconds} s के अंदर जवाब नहीं दिया।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="567"/>
        <source>Something answered at {hub}, but not with the certificate pinned at enrolment (or not over HTTPS): the connection was refused before anything was sent.</source>
        <translation>{hub} पर किसी ने जवाब दिया, लेकिन नामांकन के समय पिन किए गए प्रमाणपत्र के साथ नहीं (या HTTPS पर नहीं): कुछ भी भेजने से पहले ही कनेक्शन ठुकरा दिया गया।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="572"/>
        <source>The hub at {hub} is up but busy or failing (HTTP {status}).</source>
        <translation>{hub} वाला हब चालू है, लेकिन व्यस्त है या उसमें गड़बड़ी है (HTTP {status})।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="576"/>
        <source>The hub at {hub} gave an answer that is not the protocol&apos;s ({error_code}).</source>
        <translation>{hub} वाले हब ने ऐसा जवाब दिया जो प्रोटोकॉल के अनुसार नहीं है ({error_code})।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="580"/>
        <source>Not checked: run without --offline to reach the hub.</source>
        <translation>जाँचा नहीं गया: हब तक पहुँचने के लिए --offline के बिना चलाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="584"/>
        <source>Not checked: this PC is not enrolled with a hub.</source>
        <translation>जाँचा नहीं गया: यह पीसी किसी हब से नामांकित नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="588"/>
        <source>This PC&apos;s clock agrees with the hub&apos;s (off by {offset}, measured {measured}).</source>
        <translation>इस पीसी की घड़ी हब की घड़ी से मेल खाती है ({offset} का अंतर, {measured} पर मापा गया)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="592"/>
        <source>This PC&apos;s clock is {offset} ahead of the hub&apos;s (measured {measured}).</source>
        <translation>इस पीसी की घड़ी हब की घड़ी से {offset} आगे है ({measured} पर मापा गया)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="596"/>
        <source>This PC&apos;s clock is {offset} behind the hub&apos;s (measured {measured}).</source>
        <translation>इस पीसी की घड़ी हब की घड़ी से {offset} पीछे है ({measured} पर मापा गया)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="600"/>
        <source>Not known: the hub has not been reached from this PC.</source>
        <translation>पता नहीं: इस पीसी से अभी तक हब तक नहीं पहुँचा जा सका है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="604"/>
        <source>Nothing is waiting to be sent. Last successful sync: {last_success}.</source>
        <translation>भेजने के लिए कुछ भी बाकी नहीं है। पिछला सफल सिंक: {last_success}।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="608"/>
        <source>This PC has never synced with its hub; {records} record(s) and {photos} photo(s) wait to be sent.</source>
        <translation>इस पीसी ने अपने हब से कभी सिंक नहीं किया है; {records} रिकॉर्ड और {photos} फ़ोटो भेजे जाने बाकी हैं।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="613"/>
        <source>{records} record(s) and {photos} photo(s) wait to be sent, the oldest for {oldest}. Last successful sync: {last_success}.</source>
        <translation>{records} रिकॉर्ड और {photos} फ़ोटो भेजे जाने बाकी हैं, सबसे पुराना {oldest} से। पिछला सफल सिंक: {last_success}।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="618"/>
        <source>The hub refused {refused} change(s); each needs a person to look.</source>
        <translation>हब ने {refused} बदलाव स्वीकार नहीं किए; हर एक को किसी व्यक्ति को देखना होगा।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="622"/>
        <source>The last backup was made {last_success}, to {folder}; one is made every {every} day(s) and the newest {keep} are kept.</source>
        <translation>पिछला बैकअप {last_success} को {folder} में बना; हर {every} दिन में एक बैकअप बनता है और सबसे नए {keep} रखे जाते हैं।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="627"/>
        <source>A backup every {every} day(s) to {folder} is set; the first is made at the next check while someone is signed in.</source>
        <translation>हर {every} दिन में {folder} में बैकअप तय है; पहला बैकअप अगली जाँच पर बनेगा, जब कोई साइन इन हो।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="632"/>
        <source>The last scheduled backup did not work ({error_code}, {failed_at}); the last good one was made {last_success}, to {folder}.</source>
        <translation>पिछला निर्धारित बैकअप नहीं बना ({error_code}, {failed_at}); आख़िरी सही बैकअप {last_success} को {folder} में बना था।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="637"/>
        <source>No backup since {last_success}, though one is set for every {every} day(s) to {folder}. Last attempt: {error_code}.</source>
        <translation>{last_success} के बाद से कोई बैकअप नहीं बना, जबकि हर {every} दिन में {folder} में बैकअप तय है। पिछली कोशिश: {error_code}।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="642"/>
        <source>No scheduled backup is set on this PC.</source>
        <translation>इस पीसी पर कोई निर्धारित बैकअप तय नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="646"/>
        <source>Not checked: backups are made only of an encrypted clinic database.</source>
        <translation>जाँचा नहीं गया: बैकअप केवल एन्क्रिप्टेड क्लिनिक डेटाबेस के बनते हैं।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="650"/>
        <source>No devices are paired. Serial ports on this PC: {ports}.</source>
        <translation>कोई उपकरण पेयर नहीं है। इस पीसी के सीरियल पोर्ट: {ports}।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="654"/>
        <source>Paired devices: {paired}. Serial ports on this PC: {ports}.</source>
        <translation>पेयर किए गए उपकरण: {paired}। इस पीसी के सीरियल पोर्ट: {ports}।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="658"/>
        <source>The device {name} is paired on {port}, which is not on this PC now.</source>
        <translation>उपकरण {name} {port} पर पेयर है, जो अभी इस पीसी पर नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="662"/>
        <source>Serial ports on this PC: {ports}. The paired devices need a sign-in.</source>
        <translation>इस पीसी के सीरियल पोर्ट: {ports}। पेयर किए गए उपकरण देखने के लिए साइन इन ज़रूरी है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="666"/>
        <source>The serial ports could not be listed.</source>
        <translation>सीरियल पोर्ट की सूची नहीं मिल सकी।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="670"/>
        <source>The check could not run ({error}).</source>
        <translation>यह जाँच नहीं चल सकी ({error})।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="674"/>
        <source>Nothing to check: there is no clinic database.</source>
        <translation>जाँचने के लिए कुछ नहीं है: कोई क्लिनिक डेटाबेस नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="678"/>
        <source>HWC Spoke {app}; Python {python}; Qt {qt}; SQLite {sqlite}; SQLCipher {sqlcipher}; {os}.</source>
        <translation>HWC Spoke {app}; Python {python}; Qt {qt}; SQLite {sqlite}; SQLCipher {sqlcipher}; {os}।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="682"/>
        <source>This copy does not update itself (started from source, or built without the update key); {running} runs.</source>
        <translation>यह प्रति अपने-आप अपडेट नहीं होती (सोर्स से चलाई गई है, या अपडेट की कुंजी के बिना बनी है); {running} चल रहा है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="687"/>
        <source>Version {running} runs; no newer version is waiting.</source>
        <translation>संस्करण {running} चल रहा है; कोई नया संस्करण प्रतीक्षा में नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="691"/>
        <source>Version {running} runs; {staged} has been downloaded and checked, and starts at the next start of the app.</source>
        <translation>संस्करण {running} चल रहा है; {staged} डाउनलोड और जाँचा जा चुका है, और ऐप के अगली बार खुलने पर शुरू होगा।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="696"/>
        <source>Version(s) {bad} did not start on this PC and were set aside; {running} runs.</source>
        <translation>संस्करण {bad} इस पीसी पर शुरू नहीं हुआ और अलग रख दिया गया; {running} चल रहा है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="700"/>
        <source>The record of installed updates on this PC is damaged; the installed version runs ({running}).</source>
        <translation>इस पीसी पर इंस्टॉल किए गए अपडेट का रिकॉर्ड खराब हो गया है; इंस्टॉल किया हुआ संस्करण चल रहा है ({running})।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="705"/>
        <source>Nothing to do.</source>
        <translation>कुछ करने की ज़रूरत नहीं।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="709"/>
        <source>Free some space on this drive on this visit (empty the Recycle Bin, remove old downloads and installers): the clinic&apos;s data grows every day.</source>
        <translation>इसी विज़िट में इस ड्राइव पर कुछ जगह खाली करें (रीसायकल बिन खाली करें, पुराने डाउनलोड और इंस्टॉलर हटाएँ): क्लिनिक का डेटा हर दिन बढ़ता है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="714"/>
        <source>Free space now (empty the Recycle Bin, remove old downloads and installers, move other files off): with the drive this full, saving a patient or a case can fail.</source>
        <translation>अभी जगह खाली करें (रीसायकल बिन खाली करें, पुराने डाउनलोड और इंस्टॉलर हटाएँ, दूसरी फ़ाइलें कहीं और ले जाएँ): ड्राइव इतनी भरी होने पर मरीज़ या केस सहेजना विफल हो सकता है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="719"/>
        <source>Check that the folder exists and that this Windows account may write to it; start the app as the clinic&apos;s usual account.</source>
        <translation>जाँचें कि फ़ोल्डर मौजूद है और इस Windows खाते को उसमें लिखने की अनुमति है; ऐप को क्लिनिक के सामान्य खाते से शुरू करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="724"/>
        <source>A new PC is fine like this. If this PC has been used for patients, this is the wrong folder: check --data-dir or SPOKE_DATA_DIR.</source>
        <translation>नए पीसी के लिए यह ठीक है। अगर इस पीसी पर मरीज़ों का काम हो चुका है, तो यह गलत फ़ोल्डर है: --data-dir या SPOKE_DATA_DIR जाँचें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="729"/>
        <source>Do not delete anything. Make a support bundle, stop entering new records on this PC and restore the latest backup (field IT).</source>
        <translation>कुछ भी न हटाएँ। सपोर्ट बंडल बनाएँ, इस पीसी पर नए रिकॉर्ड दर्ज करना बंद करें और सबसे नया बैकअप रीस्टोर करें (फ़ील्ड आईटी)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="734"/>
        <source>Run the diagnostics again when the PC is not busy.</source>
        <translation>जब पीसी व्यस्त न हो, तब सिस्टम जाँच फिर से चलाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="738"/>
        <source>Sign in first (on the command line: set HWC_SPOKE_USER and HWC_SPOKE_PASSWORD, or HWC_SPOKE_RECOVERY_KEY), then run the diagnostics again.</source>
        <translation>पहले साइन इन करें (कमांड लाइन पर: HWC_SPOKE_USER और HWC_SPOKE_PASSWORD, या HWC_SPOKE_RECOVERY_KEY सेट करें), फिर सिस्टम जाँच दोबारा चलाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="743"/>
        <source>An administrator signs in: the app shows the recovery key once; write it down and keep it away from this PC.</source>
        <translation>कोई व्यवस्थापक साइन इन करे: ऐप एक बार रिकवरी की दिखाएगा; उसे लिख लें और इस पीसी से दूर रखें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="748"/>
        <source>Sign in once in the app: the database is encrypted then.</source>
        <translation>ऐप में एक बार साइन इन करें: तब डेटाबेस एन्क्रिप्ट हो जाएगा।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="752"/>
        <source>Do not delete the key file or the database. Make a support bundle and restore the latest backup, or call field IT support.</source>
        <translation>की-फ़ाइल या डेटाबेस न हटाएँ। सपोर्ट बंडल बनाएँ और सबसे नया बैकअप रीस्टोर करें, या फ़ील्ड आईटी सहायता को फ़ोन करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="757"/>
        <source>Enrol this PC with its hub (Sync page, or main.py enrol --token).</source>
        <translation>इस पीसी को इसके हब से नामांकित करें (सिंक पेज, या main.py enrol --token)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="761"/>
        <source>Check the network or the mobile data link, then whether the hub is running (its administrator). Cases wait safely on this PC meanwhile.</source>
        <translation>नेटवर्क या मोबाइल डेटा कनेक्शन जाँचें, फिर यह कि हब चल रहा है या नहीं (हब के व्यवस्थापक से पूछें)। तब तक केस इस पीसी पर सुरक्षित रहते हैं।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="766"/>
        <source>Someone may be intercepting the connection, or the hub was reinstalled. Do not re-enrol: ask the hub&apos;s administrator first.</source>
        <translation>हो सकता है कोई कनेक्शन को बीच में पकड़ (इंटरसेप्ट कर) रहा हो, या हब दोबारा इंस्टॉल किया गया हो। दोबारा नामांकन न करें: पहले हब के व्यवस्थापक से पूछें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="771"/>
        <source>Try again later; if it lasts, tell the hub&apos;s administrator.</source>
        <translation>बाद में फिर से कोशिश करें; अगर समस्या बनी रहे, तो हब के व्यवस्थापक को बताएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="775"/>
        <source>Only acceptable behind the hub&apos;s own TLS proxy; otherwise re-enrol this PC with the hub&apos;s https address.</source>
        <translation>यह केवल तभी ठीक है जब हब के आगे उसका अपना TLS प्रॉक्सी लगा हो; नहीं तो हब के https पते से इस पीसी को दोबारा नामांकित करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="780"/>
        <source>Run the diagnostics with a network connection to check it.</source>
        <translation>इसे जाँचने के लिए नेटवर्क कनेक्शन के साथ सिस्टम जाँच चलाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="784"/>
        <source>Set this PC&apos;s date, time and time zone (India Standard Time) in Windows. The app orders sync and dates prescriptions by the hub&apos;s time, but times shown on this PC are wrong until then.</source>
        <translation>Windows में इस पीसी की तारीख, समय और टाइम ज़ोन (India Standard Time) सेट करें। ऐप सिंक का क्रम और प्रिस्क्रिप्शन की तारीख हब के समय से तय करता है, लेकिन तब तक इस पीसी पर दिखने वाले समय गलत रहेंगे।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="790"/>
        <source>Open the Sync page and press Sync now; if it fails, see the hub check.</source>
        <translation>सिंक पेज खोलें और “अभी सिंक करें” दबाएँ; अगर यह नहीं हो पाता, तो हब वाली जाँच देखें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="794"/>
        <source>Open the Sync page: each refused change says why; fix it and send it again.</source>
        <translation>सिंक पेज खोलें: हर अस्वीकार किए गए बदलाव के साथ उसका कारण लिखा है; उसे ठीक करें और फिर से भेजें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="798"/>
        <source>An administrator sets a scheduled backup to a USB drive kept at the clinic (Settings, This PC&apos;s security): a broken or stolen PC then loses at most the days since the last one.</source>
        <translation>व्यवस्थापक क्लिनिक में रखी USB ड्राइव पर निर्धारित बैकअप तय करे (सेटिंग्स, इस पीसी की सुरक्षा): तब खराब या चोरी हुए पीसी से अधिक से अधिक पिछले बैकअप के बाद के दिनों का ही डेटा जाता है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="804"/>
        <source>Plug the backup drive in (or check that its folder is there and has free space); the next check, within minutes, makes the backup. Settings says why the last one did not work.</source>
        <translation>बैकअप ड्राइव लगाएँ (या जाँचें कि उसका फ़ोल्डर मौजूद है और उसमें जगह खाली है); कुछ ही मिनटों में अगली जाँच पर बैकअप बन जाएगा। पिछला बैकअप क्यों नहीं बना, यह सेटिंग्स में लिखा है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="810"/>
        <source>Plug the device&apos;s cable in (the same USB socket as before), or pair it again on the Devices page.</source>
        <translation>उपकरण की केबल लगाएँ (उसी USB सॉकेट में जिसमें पहले लगी थी), या उपकरण पेज पर इसे दोबारा पेयर करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="815"/>
        <source>Send a support bundle (it holds the update log) to the hub&apos;s release manager; this PC keeps running the version that works.</source>
        <translation>हब के रिलीज़ प्रबंधक को सपोर्ट बंडल भेजें (इसमें अपडेट का लॉग है); यह पीसी वही संस्करण चलाता रहेगा जो काम करता है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="820"/>
        <source>Delete state.json in the updates folder (docs/UPDATES.md, Recovering a PC): nothing of the clinic&apos;s data is in it, and the next check downloads the newest version again.</source>
        <translation>अपडेट फ़ोल्डर में state.json मिटा दें (docs/UPDATES.md, पीसी को ठीक करना): इसमें क्लिनिक का कोई डेटा नहीं है, और अगली जाँच सबसे नया संस्करण फिर से डाउनलोड करेगी।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="830"/>
        <source>The drive holding {folder} is full: the support bundle was not written. Free some space or choose another drive.</source>
        <translation>{folder} वाली ड्राइव भर गई है: सपोर्ट बंडल नहीं लिखा गया। कुछ जगह खाली करें या कोई दूसरी ड्राइव चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="835"/>
        <source>The support bundle could not be written to {folder}. Choose another folder (a USB drive, or Documents).</source>
        <translation>सपोर्ट बंडल {folder} में नहीं लिखा जा सका। कोई दूसरा फ़ोल्डर चुनें (USB ड्राइव, या Documents)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="841"/>
        <source>Please correct the following:</source>
        <translation>कृपया ये सुधारें:</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="847"/>
        <source>This patient may already be registered. Open the existing record, or confirm that this is a different person.</source>
        <translation>यह मरीज़ शायद पहले से पंजीकृत है। पहले वाला रिकॉर्ड खोलें, या पुष्टि करें कि यह कोई दूसरा व्यक्ति है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="852"/>
        <source>Unknown vital sign.</source>
        <translation>अज्ञात जीवन संकेत।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="853"/>
        <source>This unit cannot be used for this vital sign.</source>
        <translation>यह इकाई इस जीवन संकेत के लिए इस्तेमाल नहीं हो सकती।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="854"/>
        <source>The value is below the lowest possible value. Check the reading and the unit.</source>
        <translation>मान सबसे कम संभव मान से भी कम है। रीडिंग और इकाई जाँचें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="857"/>
        <source>The value is above the highest possible value. Check the reading and the unit.</source>
        <translation>मान सबसे ज़्यादा संभव मान से भी ज़्यादा है। रीडिंग और इकाई जाँचें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="861"/>
        <source>This looks like a temperature in °F. Choose °F as the unit, or check it.</source>
        <translation>यह °F में तापमान लगता है। इकाई °F चुनें, या मान जाँचें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="864"/>
        <source>The systolic pressure must be higher than the diastolic. Check that they are not swapped.</source>
        <translation>सिस्टोलिक प्रेशर डायस्टोलिक से ज़्यादा होना चाहिए। जाँचें कि दोनों आपस में बदल तो नहीं गए।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="868"/>
        <source>This is counted in whole numbers.</source>
        <translation>यह पूरी संख्या में गिना जाता है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="869"/>
        <source>Enter the value as a number.</source>
        <translation>मान संख्या में लिखें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="870"/>
        <source>The clinic database was written by a newer version of HWC Spoke. Install the newer version; do not use this one with it.</source>
        <translation>क्लिनिक का डेटाबेस HWC Spoke के नए संस्करण ने लिखा है। नया संस्करण इंस्टॉल करें; इस डेटाबेस के साथ यह पुराना संस्करण इस्तेमाल न करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="875"/>
        <source>This case cannot change to that status.</source>
        <translation>यह केस उस स्थिति में नहीं बदल सकता।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="876"/>
        <source>This case has already been sent and can no longer be edited. Add an addendum instead.</source>
        <translation>यह केस पहले ही भेजा जा चुका है और अब इसमें बदलाव नहीं हो सकता। इसकी जगह अतिरिक्त नोट (addendum) जोड़ें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="880"/>
        <source>Too many wrong passwords. Wait a minute, then try again.</source>
        <translation>बहुत बार गलत पासवर्ड डाला गया। एक मिनट रुकें, फिर कोशिश करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="883"/>
        <source>The password is too short. Choose a longer one.</source>
        <translation>पासवर्ड बहुत छोटा है। लंबा पासवर्ड चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="886"/>
        <source>Choose a shorter or longer time before the screen locks.</source>
        <translation>स्क्रीन लॉक होने से पहले का समय कम या ज़्यादा चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="889"/>
        <source>Your role is not allowed to do this.</source>
        <translation>आपकी भूमिका को यह करने की अनुमति नहीं है।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="890"/>
        <source>This device is already paired. Rename it or forget it first.</source>
        <translation>यह उपकरण पहले से पेयर है। पहले इसका नाम बदलें या इसे हटाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="893"/>
        <source>The enrolment was not accepted. Check the hub address and token.</source>
        <translation>नामांकन स्वीकार नहीं हुआ। हब का पता और टोकन जाँचें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="896"/>
        <source>This PC is already enrolled with a hub. It keeps sending to that hub.</source>
        <translation>यह कंप्यूटर पहले से एक हब से नामांकित है। यह उसी हब को भेजता रहेगा।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="899"/>
        <source>Warning: the hub did not prove that it is the hub that printed this token. Someone may be intercepting the connection. Nothing was sent and this PC was not enrolled. Do not try again: check the hub&apos;s address with the hub&apos;s administrator, and ask for a new token if needed.</source>
        <translation>चेतावनी: हब यह साबित नहीं कर सका कि यह टोकन उसी ने छापा है। हो सकता है कोई इस कनेक्शन को बीच में पकड़ (इंटरसेप्ट कर) रहा हो। कुछ भी नहीं भेजा गया और यह कंप्यूटर नामांकित नहीं हुआ। दोबारा कोशिश न करें: हब का पता हब के व्यवस्थापक से जाँचें, और ज़रूरत हो तो नया टोकन माँगें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="906"/>
        <source>The hub does not know this token. Check that it is the token this hub printed, or ask its administrator for a new one.</source>
        <translation>हब इस टोकन को नहीं पहचानता। जाँचें कि यह वही टोकन है जो इस हब ने छापा था, या इसके व्यवस्थापक से नया टोकन माँगें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="911"/>
        <source>This token was already used to enrol a PC, and each token works only once. Ask the hub&apos;s administrator for a new token for this clinic.</source>
        <translation>यह टोकन पहले ही एक कंप्यूटर को नामांकित करने में इस्तेमाल हो चुका है, और हर टोकन केवल एक बार काम करता है। इस क्लिनिक के लिए नया टोकन हब के व्यवस्थापक से माँगें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="916"/>
        <source>This token has expired. Ask the hub&apos;s administrator for a new one.</source>
        <translation>इस टोकन की समय-सीमा खत्म हो गई है। हब के व्यवस्थापक से नया टोकन माँगें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="919"/>
        <source>The hub could not be reached. Check the network and the hub&apos;s address, then try again.</source>
        <translation>हब तक नहीं पहुँचा जा सका। नेटवर्क और हब का पता जाँचें, फिर दोबारा कोशिश करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="923"/>
        <source>A secure connection to the hub could not be made. Check the hub&apos;s address; if it is right, tell the hub&apos;s administrator.</source>
        <translation>हब से सुरक्षित कनेक्शन नहीं बन सका। हब का पता जाँचें; अगर वह सही है, तो हब के व्यवस्थापक को बताएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="928"/>
        <source>Enrolling with the hub did not work. Try again; if it keeps failing, tell the hub&apos;s administrator.</source>
        <translation>हब से नामांकन नहीं हो सका। दोबारा कोशिश करें; अगर बार-बार ऐसा हो, तो हब के व्यवस्थापक को बताएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="933"/>
        <source>The provisioning file was not used: it is not a correct one. Ask field IT for a correct one, or enrol this PC on the Sync page.</source>
        <translation>प्रोविज़निंग फ़ाइल इस्तेमाल नहीं हुई: यह सही फ़ाइल नहीं है। फ़ील्ड आईटी से सही फ़ाइल माँगें, या सिंक पेज पर इस पीसी को नामांकित करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="938"/>
        <source>The provisioning file could not be read. Ask field IT to check its rights, or enrol this PC on the Sync page.</source>
        <translation>प्रोविज़निंग फ़ाइल पढ़ी नहीं जा सकी। फ़ील्ड आईटी से इसकी अनुमतियाँ जाँचने को कहें, या सिंक पेज पर इस पीसी को नामांकित करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="943"/>
        <source>The provisioning file could not be deleted: this PC has no rights to it. Ask field IT to delete the file.</source>
        <translation>प्रोविज़निंग फ़ाइल हटाई नहीं जा सकी: इस पीसी को इसकी अनुमति नहीं है। फ़ील्ड आईटी से यह फ़ाइल हटाने को कहें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="948"/>
        <source>The provisioning file names another hub than the one this PC is enrolled with and was not used. To move this clinic, use Move to another hub on the Sync page.</source>
        <translation>प्रोविज़निंग फ़ाइल में उस हब के बजाय कोई दूसरा हब लिखा है जिससे यह पीसी नामांकित है, इसलिए इसे इस्तेमाल नहीं किया गया। इस क्लिनिक को ले जाने के लिए सिंक पेज पर “दूसरे हब पर ले जाएँ” इस्तेमाल करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="953"/>
        <source>Some records or photos have not reached the current hub yet. Sync first, or move anyway: they then go to the new hub with the clinic&apos;s history.</source>
        <translation>कुछ रिकॉर्ड या फ़ोटो अभी तक मौजूदा हब तक नहीं पहुँचे हैं। पहले सिंक करें, या फिर भी ले जाएँ: तब ये क्लिनिक के इतिहास के साथ नए हब को जाएँगे।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="958"/>
        <source>The file could not be read. It may be damaged.</source>
        <translation>फ़ाइल पढ़ी नहीं जा सकी। हो सकता है यह खराब हो।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="961"/>
        <source>The file is too large to attach.</source>
        <translation>फ़ाइल इतनी बड़ी है कि जोड़ी नहीं जा सकती।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="962"/>
        <source>This file cannot be attached. Attach a photo (JPEG or PNG) or a PDF.</source>
        <translation>यह फ़ाइल नहीं जोड़ी जा सकती। फ़ोटो (JPEG या PNG) या PDF जोड़ें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="965"/>
        <source>Choose each item once, from those on the prescription.</source>
        <translation>पर्चे में लिखी दवाओं में से हर दवा एक ही बार चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="968"/>
        <source>The question is too long. Shorten it.</source>
        <translation>प्रश्न बहुत लंबा है। इसे छोटा करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="969"/>
        <source>The clinic database is damaged. Stop using this PC for records and call your IT support.</source>
        <translation>क्लिनिक का डेटाबेस खराब हो गया है। इस कंप्यूटर पर रिकॉर्ड दर्ज करना बंद करें और अपने IT सहायता कर्मी को फ़ोन करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="973"/>
        <source>The clinic database cannot be written. Check that the disk is not write-protected, or call your IT support.</source>
        <translation>क्लिनिक के डेटाबेस में लिखा नहीं जा सकता। जाँचें कि डिस्क राइट-प्रोटेक्टेड तो नहीं है, या अपने IT सहायता कर्मी को फ़ोन करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="978"/>
        <source>The drive is full: the backup was not made, and nothing half-made is left there. Free some space or use a larger USB drive, and try again.</source>
        <translation>ड्राइव भर गई है: बैकअप नहीं बना, और वहाँ कोई अधूरी फ़ाइल नहीं छोड़ी गई। कुछ जगह खाली करें या बड़ी USB ड्राइव इस्तेमाल करें, और फिर से कोशिश करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="983"/>
        <source>The backup could not be written, and nothing half-made is left. Check the drive (was it taken out?) and try again.</source>
        <translation>बैकअप नहीं लिखा जा सका, और कोई अधूरी फ़ाइल नहीं छोड़ी गई। ड्राइव जाँचें (कहीं वह निकाल तो नहीं ली गई?) और फिर से कोशिश करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="988"/>
        <location filename="../ui/messages.py" line="1008"/>
        <source>The folder is not there (was the USB drive taken out?). Choose another one.</source>
        <translation>फ़ोल्डर मौजूद नहीं है (कहीं USB ड्राइव निकाल तो नहीं ली गई?)। कोई दूसरा फ़ोल्डर चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="991"/>
        <source>A backup with this name is already there. Wait a moment and try again.</source>
        <translation>इस नाम का बैकअप वहाँ पहले से है। थोड़ा रुकें और फिर से कोशिश करें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="994"/>
        <source>That folder already holds a clinic database. Nothing was changed. Restore into another folder, or replace it (the folder there now is kept, renamed).</source>
        <translation>उस फ़ोल्डर में पहले से एक क्लिनिक डेटाबेस है। कुछ भी नहीं बदला गया। किसी दूसरे फ़ोल्डर में रीस्टोर करें, या उसकी जगह रीस्टोर करें (अभी वहाँ जो फ़ोल्डर है, वह नया नाम देकर रख लिया जाएगा)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="999"/>
        <source>The backup could not be restored. The folder there was not changed.</source>
        <translation>बैकअप रीस्टोर नहीं हो सका। वहाँ के फ़ोल्डर में कोई बदलाव नहीं हुआ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1002"/>
        <source>Choose how often, in days, the backup is made (0 switches it off).</source>
        <translation>चुनें कि बैकअप कितने दिनों में एक बार बने (0 से यह बंद हो जाता है)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1005"/>
        <source>Choose how many backups to keep in the folder.</source>
        <translation>चुनें कि फ़ोल्डर में कितने बैकअप रखे जाएँ।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1011"/>
        <source>The drive is full: the support bundle was not written. Free some space or choose another drive.</source>
        <translation>ड्राइव भर गई है: सपोर्ट बंडल नहीं लिखा गया। कुछ जगह खाली करें या कोई दूसरी ड्राइव चुनें।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1016"/>
        <source>The support bundle could not be written there. Choose another folder (a USB drive, or Documents).</source>
        <translation>सपोर्ट बंडल वहाँ नहीं लिखा जा सका। कोई दूसरा फ़ोल्डर चुनें (USB ड्राइव, या Documents)।</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1024"/>
        <source>paramedic</source>
        <translation>पैरामेडिक</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1025"/>
        <source>generalist</source>
        <translation>सामान्य चिकित्सक</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1026"/>
        <source>administrator</source>
        <translation>व्यवस्थापक</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1030"/>
        <source>draft</source>
        <translation>ड्राफ़्ट</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1031"/>
        <source>queued</source>
        <translation>कतार में</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1032"/>
        <source>sent</source>
        <translation>भेजा गया</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1033"/>
        <source>at hub</source>
        <translation>हब पर</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1034"/>
        <source>prescribed</source>
        <translation>प्रिस्क्रिप्शन मिला</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1035"/>
        <source>closed</source>
        <translation>बंद</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1036"/>
        <source>cancelled</source>
        <translation>रद्द</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1037"/>
        <source>needs attention</source>
        <translation>ध्यान देना ज़रूरी</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1127"/>
        <source>Something went wrong: {detail}</source>
        <translation>कुछ गड़बड़ हो गई: {detail}</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1136"/>
        <source>Could not finish</source>
        <translation>पूरा नहीं हो सका</translation>
    </message>
    <message>
        <location filename="../ui/messages.py" line="1139"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
</context>
<context>
    <name>prescriptions</name>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="63"/>
        <source>New</source>
        <translation>नया</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="64"/>
        <source>Acknowledged</source>
        <translation>स्वीकार किया गया</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="65"/>
        <source>Queried</source>
        <translation>प्रश्न पूछा गया</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="66"/>
        <location filename="../ui/prescription_dialogs.py" line="80"/>
        <source>Dispensed</source>
        <translation>दवा दी गई</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="71"/>
        <source>Verified</source>
        <translation>सत्यापित</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="72"/>
        <source>NOT VALID: tampered</source>
        <translation>मान्य नहीं: छेड़छाड़ की गई</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="73"/>
        <source>NOT VALID: unknown signer</source>
        <translation>मान्य नहीं: अज्ञात हस्ताक्षरकर्ता</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="74"/>
        <source>NOT VALID: revoked</source>
        <translation>मान्य नहीं: रद्द कुंजी</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="75"/>
        <source>NOT VALID: expired</source>
        <translation>मान्य नहीं: समाप्त</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="77"/>
        <source>Replaced by a correction</source>
        <translation>सुधार से बदला गया</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="81"/>
        <source>Partly dispensed</source>
        <translation>आंशिक रूप से दी गई</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="82"/>
        <source>Not available</source>
        <translation>उपलब्ध नहीं</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="83"/>
        <source>Declined by the patient</source>
        <translation>मरीज़ ने मना किया</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="87"/>
        <source>video</source>
        <translation>वीडियो</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="88"/>
        <source>audio</source>
        <translation>ऑडियो</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="89"/>
        <source>text</source>
        <translation>टेक्स्ट</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="92"/>
        <source>first consultation</source>
        <translation>पहला परामर्श</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="93"/>
        <source>follow-up</source>
        <translation>फ़ॉलो-अप</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="156"/>
        <source>%1 years</source>
        <translation>%1 वर्ष</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="160"/>
        <source>%1 months</source>
        <translation>%1 महीने</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="172"/>
        <source>Reg. no. %1 (%2)</source>
        <translation>पंजीकरण सं. %1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="176"/>
        <source>%1 teleconsultation, %2</source>
        <translation>%1 टेलीपरामर्श, %2</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="183"/>
        <source>Practitioner</source>
        <translation>डॉक्टर</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="187"/>
        <source>Patient</source>
        <translation>मरीज़</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="191"/>
        <source>Date</source>
        <translation>तारीख</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="194"/>
        <source>Consultation</source>
        <translation>परामर्श</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="195"/>
        <source>Chief complaint</source>
        <translation>मुख्य शिकायत</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="196"/>
        <source>Findings</source>
        <translation>निष्कर्ष</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="198"/>
        <source>Provisional diagnosis</source>
        <translation>अनंतिम निदान</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="205"/>
        <source>Medicines</source>
        <translation>दवाएँ</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="208"/>
        <source>Medicine (generic name)</source>
        <translation>दवा (जेनेरिक नाम)</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="209"/>
        <source>Dose</source>
        <translation>खुराक</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="210"/>
        <source>Frequency</source>
        <translation>कितनी बार</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="211"/>
        <source>Route</source>
        <translation>कैसे लें</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="212"/>
        <source>Duration</source>
        <translation>अवधि</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="213"/>
        <source>Quantity</source>
        <translation>मात्रा</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="214"/>
        <source>Handed over</source>
        <translation>दी गई</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="226"/>
        <source>Brand: %1</source>
        <translation>ब्रांड: %1</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="232"/>
        <source>No substitution</source>
        <translation>दूसरा ब्रांड न दें</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="235"/>
        <source>Continuing treatment</source>
        <translation>चल रहा इलाज जारी</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="246"/>
        <source>%1 days</source>
        <translation>%1 दिन</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="258"/>
        <source>Advice</source>
        <translation>सलाह</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="260"/>
        <source>Investigations</source>
        <translation>जाँचें</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="263"/>
        <source>Follow-up</source>
        <translation>फ़ॉलो-अप</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="264"/>
        <source>Referral</source>
        <translation>रेफ़रल</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="268"/>
        <source>Messages with the specialist</source>
        <translation>विशेषज्ञ के साथ संदेश</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="277"/>
        <source>Not yet</source>
        <translation>अभी नहीं</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="286"/>
        <source>No messages yet.</source>
        <translation>अभी कोई संदेश नहीं।</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="290"/>
        <source>%1 (this clinic)</source>
        <translation>%1 (यह क्लिनिक)</translation>
    </message>
    <message>
        <location filename="../ui/prescription_dialogs.py" line="292"/>
        <source>%1 (specialist)</source>
        <translation>%1 (विशेषज्ञ)</translation>
    </message>
</context>
<context>
    <name>tasks</name>
    <message>
        <location filename="../ui/tasks.py" line="201"/>
        <source>&amp;Cancel</source>
        <translation>रद्द करें (&amp;C)</translation>
    </message>
</context>
</TS>
