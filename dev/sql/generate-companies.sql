-- Realistic sample data for the source tables (see source-schema.sql). DEV / TESTS ONLY.
--
--   SELECT generate_companies(n integer, seed double precision DEFAULT 0.42) RETURNS integer
--
-- Inserts n companies and 0-5 case studies per company and returns n. Deterministic: the
-- same n and seed on an empty schema (TRUNCATE ... RESTART IDENTITY) give identical rows,
-- timestamps included (a fixed base timestamp plus random offsets, never now()). Ids
-- continue from the current max(id) of each table, so calling it again appends rows; the
-- serial sequences are moved past the new ids. seed must be in [-1, 1] (setseed).
--
-- Shape, chosen to match the real data set:
--   * ~74 % of companies published (is_published_find_a_supplier and/or
--     is_published_investment_support_directory); published ones always have a description
--     or a summary;
--   * 0-5 case studies per company (more for published companies), ~80 % published;
--   * codes only from the owner's code lists (shared/data/labels/*.csv, embedded below),
--     with ~1 % of lists carrying one unknown (retired) code;
--   * text from a business vocabulary: descriptions 0-2,000 chars, summaries <= 250,
--     case study descriptions/testimonials <= 1,000, all within the column limits; a
--     published company with its published case studies makes a search document of
--     roughly 5-6 KB of JSON;
--   * PRIVATE columns hold distinctive fake values that all start with 'private-'
--     (e.g. email 'private-<id>@example.invalid'), and no public column ever contains the
--     word 'private', so a test can assert that none of them leaks into the index.
--
-- Speed: everything is set based (INSERT ... SELECT FROM generate_series). Text comes from
-- pools built once per call: sentence pools are concatenated into one bytea with an int[]
-- of offsets, so a run of k consecutive sentences is a single O(1) substring; lists and
-- short strings are picked from jsonb arrays (O(1) element access). Large text[] variables
-- are avoided on purpose: subscripting a flat text[] walks the array (O(index)).
-- Every random() call sits in the target list of one OFFSET 0 subquery per table, evaluated
-- row by row in a fixed order (generate_series for companies, company id for case studies),
-- in a single backend (no parallel workers); pool sizes depend on n, so a given (n, seed)
-- always draws the same sequence. Rows written concurrently by others break determinism.

CREATE OR REPLACE FUNCTION generate_companies(n integer, seed double precision DEFAULT 0.42)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    -- ---------------------------------------------------------------- code lists
    -- generated from shared/data/labels/{industries,regions,countries,languages}.csv
    industries text[] := ARRAY[
        'AEROSPACE', 'ADVANCED_MANUFACTURING', 'AIRPORTS',
        'AGRICULTURE_HORTICULTURE_AND_FISHERIES', 'AUTOMOTIVE',
        'BIOTECHNOLOGY_AND_PHARMACEUTICALS', 'BUSINESS_AND_CONSUMER_SERVICES', 'CHEMICALS',
        'CLOTHING_FOOTWEAR_AND_FASHION', 'COMMUNICATIONS', 'CONSTRUCTION', 'CREATIVE_AND_MEDIA',
        'EDUCATION_AND_TRAINING', 'ELECTRONICS_AND_IT_HARDWARE', 'ENVIRONMENT',
        'FINANCIAL_AND_PROFESSIONAL_SERVICES', 'FOOD_AND_DRINK',
        'GIFTWARE_JEWELLERY_AND_TABLEWARE', 'GLOBAL_SPORTS_INFRASTRUCTURE',
        'HEALTHCARE_AND_MEDICAL', 'HOUSEHOLD_GOODS_FURNITURE_AND_FURNISHINGS', 'LIFE_SCIENCES',
        'LEISURE_AND_TOURISM', 'LEGAL_SERVICES', 'MARINE',
        'MECHANICAL_ELECTRICAL_AND_PROCESS_ENGINEERING', 'METALLURGICAL_PROCESS_PLANT',
        'METALS_MINERALS_AND_MATERIALS', 'MINING', 'OIL_AND_GAS', 'PORTS_AND_LOGISTICS', 'POWER',
        'RAILWAYS', 'RENEWABLE_ENERGY', 'RETAIL_AND_LUXURY', 'SECURITY',
        'SOFTWARE_AND_COMPUTER_SERVICES', 'TEXTILES_INTERIOR_TEXTILES_AND_CARPETS', 'WATER',
        'SL10001', 'SL10002', 'SL10003', 'SL10004', 'SL10005', 'SL10006', 'SL10007', 'SL10008',
        'SL10009', 'SL10010', 'SL10011', 'SL10012', 'SL10013', 'SL10014', 'SL10015', 'SL10016',
        'SL10017', 'SL10018', 'SL10019', 'SL10020', 'SL10021', 'SL10022', 'SL10023', 'SL10024',
        'SL10025', 'SL10026', 'SL10027', 'SL10028'];
    regions text[] := ARRAY[
        'NORTH_EAST', 'NORTH_WEST', 'NORTHERN_IRELAND', 'YORKSHIRE_AND_HUMBER', 'EAST_MIDLANDS',
        'WEST_MIDLANDS', 'EASTERN', 'LONDON', 'SOUTH_EAST', 'SOUTH_WEST', 'SCOTLAND', 'WALES'];
    countries text[] := ARRAY[
        'AF', 'AL', 'DZ', 'AD', 'AO', 'AG', 'AR', 'AM', 'AU', 'AT', 'AZ', 'BH', 'BD', 'BB', 'BY',
        'BE', 'BZ', 'BJ', 'BT', 'BO', 'BA', 'BW', 'BR', 'BN', 'BG', 'BF', 'BI', 'KH', 'CM', 'CA',
        'CV', 'CF', 'TD', 'CL', 'CN', 'CO', 'KM', 'CG', 'CD', 'CR', 'HR', 'CU', 'CY', 'CZ', 'DK',
        'DJ', 'DM', 'DO', 'TL', 'EC', 'EG', 'SV', 'GQ', 'ER', 'EE', 'SZ', 'ET', 'FJ', 'FI', 'FR',
        'GA', 'GE', 'DE', 'GH', 'GR', 'GD', 'GT', 'GN', 'GW', 'GY', 'HT', 'HN', 'HU', 'IS', 'IN',
        'ID', 'IR', 'IQ', 'IE', 'IL', 'IT', 'CI', 'JM', 'JP', 'JO', 'KZ', 'KE', 'KI', 'XK', 'KW',
        'KG', 'LA', 'LV', 'LB', 'LS', 'LR', 'LY', 'LI', 'LT', 'LU', 'MG', 'MW', 'MY', 'MV', 'ML',
        'MT', 'MH', 'MR', 'MU', 'MX', 'FM', 'MD', 'MC', 'MN', 'ME', 'MA', 'MZ', 'MM', 'NA', 'NR',
        'NP', 'NL', 'NZ', 'NI', 'NE', 'NG', 'KP', 'MK', 'NO', 'OM', 'PK', 'PW', 'PA', 'PG', 'PY',
        'PE', 'PH', 'PL', 'PT', 'QA', 'RO', 'RU', 'RW', 'WS', 'SM', 'ST', 'SA', 'SN', 'RS', 'SC',
        'SL', 'SG', 'SK', 'SI', 'SB', 'SO', 'ZA', 'KR', 'SS', 'ES', 'LK', 'KN', 'LC', 'VC', 'SD',
        'SR', 'SE', 'CH', 'SY', 'TW', 'TJ', 'TZ', 'TH', 'BS', 'GM', 'TG', 'TO', 'TT', 'TN', 'TR',
        'TM', 'TV', 'UG', 'UA', 'AE', 'GB', 'US', 'UY', 'UZ', 'VU', 'VA', 'VE', 'VN', 'YE', 'ZM',
        'ZW'];
    languages text[] := ARRAY[
        'ab', 'aa', 'af', 'ak', 'sq', 'am', 'ar', 'an', 'hy', 'as', 'av', 'ay', 'az', 'bm', 'ba',
        'eu', 'be', 'bn', 'bi', 'bs', 'br', 'bg', 'my', 'yue', 'ca', 'km', 'ce', 'zh', 'kw',
        'co', 'cr', 'hr', 'cs', 'da', 'dv', 'nl', 'dz', 'en', 'et', 'ee', 'fo', 'fj', 'fi', 'fr',
        'ff', 'gd', 'gl', 'lg', 'ka', 'de', 'el', 'gn', 'gu', 'ht', 'ha', 'he', 'hz', 'hi', 'ho',
        'hu', 'is', 'ig', 'id', 'ik', 'ga', 'it', 'ja', 'jv', 'kn', 'kr', 'ks', 'kk', 'ki', 'rw',
        'ky', 'kv', 'kg', 'ko', 'kj', 'ku', 'lo', 'lv', 'li', 'ln', 'lt', 'lu', 'lb', 'mk', 'mg',
        'ms', 'ml', 'mt', 'gv', 'cmn', 'mi', 'mr', 'mh', 'mn', 'na', 'ng', 'ne', 'se', 'no',
        'oj', 'or', 'om', 'os', 'pa', 'fa', 'pl', 'pt', 'ps', 'qu', 'ro', 'rm', 'rn', 'ru', 'sm',
        'sg', 'sc', 'sr', 'sn', 'ii', 'sd', 'si', 'sk', 'sl', 'so', 'st', 'es', 'su', 'sw', 'ss',
        'sv', 'ty', 'tg', 'ta', 'tt', 'te', 'th', 'bo', 'ti', 'to', 'ts', 'tn', 'tr', 'tk', 'tw',
        'ug', 'uk', 'ur', 'uz', 've', 'vi', 'wa', 'cy', 'yi', 'yo', 'za', 'zu'];
    -- popular codes are drawn more often (all of them are in the lists above)
    common_countries text[] := ARRAY[
        'US', 'CN', 'DE', 'FR', 'IN', 'AE', 'SA', 'JP', 'AU', 'CA', 'NL', 'IE', 'ES', 'IT', 'SG',
        'KR', 'BR', 'ZA', 'NG', 'QA', 'TR', 'PL', 'SE', 'MX', 'MY', 'NZ', 'KE', 'EG', 'CH'];
    common_languages text[] := ARRAY[
        'en', 'fr', 'de', 'es', 'zh', 'ar', 'pt', 'it', 'ja', 'ru', 'hi', 'pl', 'nl', 'cy', 'ur',
        'pa', 'bn', 'tr', 'ko', 'sv', 'gd', 'ga', 'cmn'];
    common_regions text[] := ARRAY['LONDON', 'SOUTH_EAST', 'NORTH_WEST', 'SCOTLAND'];
    -- retired codes that are in no list: the indexer must keep them as they are
    unknown_industries text[] := ARRAY['DEFENCE', 'SPACE'];
    unknown_regions text[] := ARRAY['ISLE_OF_MAN'];
    unknown_countries text[] := ARRAY['AN'];
    unknown_languages text[] := ARRAY['sh', 'mo'];

    -- ---------------------------------------------------------------- products and services
    services jsonb := $json${
        "financial": ["Accounting and tax", "Insurance", "Mergers and acquisitions",
                      "Opening bank accounts", "Raising capital", "Regulatory support"],
        "management-consulting": ["Business development", "Commercial and pricing strategy",
                      "Product safety regulation and compliance", "Risk consultation",
                      "Strategy and long-term planning", "Workforce development"],
        "human-resources": ["Employment and talent research", "Payroll",
                      "Salary benchmarking and employee benefits", "Sourcing and hiring",
                      "Staff management and progression", "Staff onboarding", "Succession planning"],
        "legal": ["Company incorporation", "Data protection and information assurance",
                      "Employment", "Immigration", "Intellectual property", "Land use planning"],
        "publicity": ["Advertising", "Branding", "Marketing", "Public affairs",
                      "Public relations", "Social media", "Translation services"],
        "business-support": ["Business relocation", "Facilities (such as WiFI or electricity)",
                      "Planning consultants", "Staff and family relocation"],
        "other": ["Regulatory", "IT", "Translation", "Export documentation", "Market research",
                      "Customs brokerage", "Trade show support", "Logistics", "Procurement",
                      "Quality assurance", "Technical writing", "Product testing"],
        "Finance": ["Insurance", "Raising capital", "Accounting and tax", "Trade finance",
                      "Foreign exchange"]
    }$json$;

    -- ---------------------------------------------------------------- vocabulary
    name_first text[] := ARRAY[
        'Apex', 'Northern', 'Thames', 'Pennine', 'Summit', 'Harbour', 'Meridian', 'Clyde',
        'Severn', 'Albion', 'Crown', 'Highland', 'Oak', 'Cedar', 'Granite', 'Silverline',
        'Blue Harbour', 'Redwood', 'Kestrel', 'Falcon', 'Phoenix', 'Orbit', 'Vertex', 'Quantum',
        'Nova', 'Atlas', 'Beacon', 'Compass', 'Pinnacle', 'Horizon', 'Evergreen', 'Riverside',
        'Castle', 'Bridge', 'Anchor', 'Lighthouse', 'Mercia', 'Wessex', 'Cambrian', 'Caledonian',
        'Ulster', 'Mersey', 'Tyne', 'Trent', 'Avon', 'Cotswold', 'Chiltern', 'Peak', 'Moorland',
        'Coastal', 'Westfield', 'Eastgate', 'Southbank', 'Northgate', 'Kingsway', 'Regent',
        'Sovereign', 'Britannia', 'Lion', 'Stag', 'Heron', 'Osprey', 'Swift', 'Merlin', 'Arden',
        'Sherwood', 'Bramble', 'Thistle', 'Heather', 'Willow', 'Birch', 'Ashford', 'Elm',
        'Hawthorn', 'Ironbridge', 'Steelworks', 'Copperfield', 'Brightwater', 'Clearview',
        'Greenfield', 'Bluestone', 'Blackrock', 'Whitecliff', 'Goldcrest', 'Silverdale', 'Ember',
        'Spark', 'Fusion', 'Vector', 'Matrix', 'Catalyst', 'Element', 'Carbon', 'Helix', 'Prism',
        'Zenith', 'Polar', 'Solent', 'Forth', 'Tay', 'Dee', 'Wye', 'Tamar', 'Exe', 'Humber',
        'Lomond', 'Ness', 'Snowdon', 'Skye', 'Orkney', 'Arran', 'Iona', 'Brecon', 'Malvern',
        'Mendip', 'Quantock', 'Dartmoor', 'Exmoor', 'Fenland', 'Broadland'];
    name_second text[] := ARRAY[
        'Engineering', 'Logistics', 'Consulting', 'Foods', 'Technologies', 'Marine', 'Solutions',
        'Systems', 'Analytics', 'Software', 'Digital', 'Design', 'Manufacturing', 'Precision',
        'Components', 'Composites', 'Energy', 'Renewables', 'Power', 'Water', 'Environmental',
        'Medical', 'Diagnostics', 'Pharma', 'Biotech', 'Life Sciences', 'Laboratories', 'Textiles',
        'Fashion', 'Knitwear', 'Footwear', 'Interiors', 'Furniture', 'Lighting', 'Homeware',
        'Brewing', 'Distillery', 'Drinks', 'Bakery', 'Dairy', 'Seafood', 'Farms', 'Nurseries',
        'Agritech', 'Robotics', 'Automation', 'Electronics', 'Instruments', 'Sensors', 'Optics',
        'Photonics', 'Security', 'Defence Systems', 'Aerospace', 'Aviation', 'Rail', 'Automotive',
        'Motorsport', 'Construction', 'Builders', 'Surveyors', 'Architects', 'Estates',
        'Property', 'Facilities', 'Training', 'Learning', 'Education', 'Languages', 'Translations',
        'Media', 'Studios', 'Productions', 'Films', 'Games', 'Publishing', 'Print', 'Packaging',
        'Plastics', 'Chemicals', 'Coatings', 'Metals', 'Steel', 'Fabrications', 'Tooling',
        'Hydraulics', 'Pumps', 'Valves', 'Cables', 'Networks', 'Telecom', 'Cloud', 'Data',
        'Cyber', 'Fintech', 'Capital', 'Advisory', 'Partners', 'Associates', 'Trading',
        'Exports', 'International', 'Global', 'Group', 'Holdings', 'Industries', 'Services'];
    first_names text[] := ARRAY[
        'Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava', 'Jack', 'Mia', 'Charlie', 'Ivy',
        'Thomas', 'Grace', 'James', 'Sophie', 'William', 'Emily', 'Noah', 'Ella', 'Leo', 'Lily',
        'Arthur', 'Freya', 'Oscar', 'Florence', 'Henry', 'Evie', 'Alfie', 'Poppy', 'Joshua',
        'Chloe', 'Daniel', 'Hannah', 'Samuel', 'Lucy', 'David', 'Sarah', 'Michael', 'Rachel',
        'Andrew', 'Laura', 'Mohammed', 'Aisha', 'Rajesh', 'Priya', 'Wei', 'Mei', 'Tomasz',
        'Agnieszka', 'Kwame', 'Ama', 'Sean', 'Niamh', 'Rhys', 'Cerys', 'Callum', 'Eilidh',
        'Fraser', 'Morag', 'Gareth', 'Siobhan'];
    surnames text[] := ARRAY[
        'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson',
        'Wright', 'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood',
        'Jackson', 'Clarke', 'Patel', 'Khan', 'Lewis', 'James', 'Phillips', 'Mason', 'Mitchell',
        'Rose', 'Davis', 'Rodriguez', 'Cox', 'Alexander', 'Morris', 'Scott', 'Hughes', 'Ward',
        'Turner', 'Campbell', 'Stewart', 'Murray', 'MacDonald', 'Fraser', 'Reid', 'Kerr',
        'Morgan', 'Price', 'Owen', 'Lloyd', 'Griffiths', 'Kelly', 'Murphy', 'Walsh', 'Byrne',
        'Singh', 'Shah', 'Chen', 'Wang', 'Nowak', 'Kowalski', 'Mensah', 'Okafor', 'Adeyemi',
        'Fletcher', 'Barker', 'Chapman', 'Harrison', 'Marshall', 'Hunt', 'Knight', 'Palmer',
        'Holmes', 'Lawson', 'Baxter', 'Spencer', 'Webb', 'Bennett', 'Hart', 'Gibson', 'Ellis',
        'Russell'];
    job_titles text[] := ARRAY[
        'Managing Director', 'Chief Executive', 'Operations Director', 'Head of Procurement',
        'Export Manager', 'Purchasing Manager', 'Technical Director', 'Head of Engineering',
        'Marketing Director', 'Supply Chain Manager', 'Commercial Director', 'Founder',
        'Chief Technology Officer', 'Finance Director', 'Project Manager', 'Quality Manager',
        'Head of Digital', 'Facilities Manager', 'Logistics Manager', 'Category Buyer',
        'Head of International Trade', 'Programme Director', 'Plant Manager', 'Chairman',
        'Head of Research', 'Sales Director', 'General Manager', 'Partner'];
    adjectives text[] := ARRAY[
        'innovative', 'specialist', 'award-winning', 'bespoke', 'sustainable', 'high-quality',
        'cost-effective', 'reliable', 'leading', 'independent', 'family-owned', 'international',
        'integrated', 'flexible', 'precision', 'advanced', 'digital', 'end-to-end', 'trusted',
        'experienced', 'certified', 'modular', 'scalable', 'low-carbon', 'data-driven',
        'customer-focused', 'agile', 'robust', 'secure', 'efficient', 'premium', 'ethical',
        'market-leading', 'technical', 'professional', 'practical', 'strategic', 'regulated',
        'global', 'regional', 'local', 'accredited', 'proven', 'tailored', 'responsive',
        'lightweight', 'durable', 'clinical', 'commercial', 'industrial', 'automated', 'smart',
        'connected', 'renewable', 'specialised', 'organic', 'artisan', 'heritage', 'modern',
        'compliant', 'competitive', 'collaborative', 'pioneering', 'world-class'];
    products text[] := ARRAY[
        'precision engineering', 'software development', 'cloud hosting', 'logistics',
        'freight forwarding', 'packaging', 'food ingredients', 'craft beer', 'organic skincare',
        'medical devices', 'diagnostic equipment', 'laboratory services', 'clinical trials',
        'cyber security', 'data analytics', 'machine learning', 'web design', 'digital marketing',
        'brand strategy', 'translation', 'market research', 'recruitment', 'training courses',
        'e-learning', 'project management', 'quality assurance', 'testing and inspection',
        'environmental consulting', 'waste management', 'water treatment', 'solar installation',
        'wind turbine maintenance', 'battery storage', 'electrical contracting', 'HVAC systems',
        'steel fabrication', 'CNC machining', 'injection moulding', '3D printing',
        'composite materials', 'aerospace components', 'automotive parts', 'rail signalling',
        'marine equipment', 'offshore services', 'subsea engineering', 'oil and gas services',
        'mining equipment', 'agricultural machinery', 'animal feed', 'seed potatoes',
        'fresh produce', 'seafood', 'confectionery', 'bakery products', 'soft drinks',
        'Scotch whisky', 'English wine', 'speciality tea', 'coffee roasting', 'luxury fashion',
        'knitwear', 'footwear', 'technical textiles', 'carpets', 'contract furniture', 'lighting',
        'kitchenware', 'giftware', 'jewellery', 'cosmetics', 'toys', 'sports equipment',
        'fitness equipment', 'event management', 'architecture', 'interior design',
        'construction services', 'civil engineering', 'surveying', 'facilities management',
        'security systems', 'CCTV', 'fire protection', 'telecommunications',
        'network infrastructure', 'IoT devices', 'electronics manufacturing',
        'printed circuit boards', 'sensors', 'robotics', 'industrial automation', 'mobile apps',
        'fintech platforms', 'payment processing', 'insurance broking', 'accountancy',
        'legal advice', 'intellectual property advice', 'tax advice', 'financial modelling',
        'venture capital', 'property development', 'hotel services', 'inbound tourism',
        'education services', 'English language teaching', 'healthcare staffing',
        'pharmaceuticals', 'biotechnology', 'veterinary products', 'speciality chemicals',
        'industrial coatings', 'adhesives', 'plastics recycling', 'paper products',
        'commercial printing', 'publishing', 'film production', 'animation', 'video games',
        'music production', 'photography', 'audio-visual equipment', 'smart meters',
        'EV charging', 'hydrogen systems', 'heat pumps', 'insulation', 'modular buildings'];
    customers text[] := ARRAY[
        'retailers', 'manufacturers', 'distributors', 'public sector bodies', 'hospitals',
        'universities', 'airlines', 'utilities', 'government agencies', 'SMEs',
        'multinational corporations', 'start-ups', 'hotel groups', 'construction firms',
        'engineering firms', 'food producers', 'logistics operators', 'port authorities',
        'local authorities', 'NHS trusts', 'schools', 'banks', 'insurers', 'law firms',
        'charities', 'energy companies', 'mining companies', 'shipping lines',
        'car manufacturers', 'telecoms operators', 'supermarkets', 'airports', 'rail operators',
        'water companies', 'pharmaceutical companies', 'defence contractors'];
    markets text[] := ARRAY[
        'the UK', 'Europe', 'North America', 'the Middle East', 'the Gulf', 'Asia', 'China',
        'India', 'Japan', 'South Korea', 'Australia', 'New Zealand', 'Africa', 'Nigeria',
        'Kenya', 'South Africa', 'Brazil', 'Mexico', 'Canada', 'the United States', 'Germany',
        'France', 'Spain', 'Italy', 'the Netherlands', 'Scandinavia', 'Poland', 'Turkey',
        'Singapore', 'Malaysia', 'Vietnam', 'Indonesia', 'the Philippines', 'Saudi Arabia',
        'the UAE', 'Qatar', 'Egypt', 'Chile', 'Colombia', 'Ireland', 'Latin America',
        'South East Asia'];
    uk_places text[] := ARRAY[
        'London', 'Manchester', 'Birmingham', 'Leeds', 'Glasgow', 'Edinburgh', 'Cardiff',
        'Belfast', 'Bristol', 'Sheffield', 'Newcastle', 'Nottingham', 'Leicester', 'Liverpool',
        'Southampton', 'Aberdeen', 'Dundee', 'Inverness', 'Swansea', 'Plymouth', 'Norwich',
        'Cambridge', 'Oxford', 'Reading', 'Milton Keynes', 'Derby', 'Coventry', 'Hull', 'York',
        'Exeter', 'Brighton', 'Bath', 'Stoke-on-Trent', 'Sunderland', 'Preston', 'Lancaster',
        'Carlisle', 'Ipswich', 'Peterborough', 'Wolverhampton'];
    verbs text[] := ARRAY[
        'reduce costs in', 'modernise', 'digitise', 'expand', 'streamline', 'scale up', 'secure',
        'certify', 'optimise', 'automate', 'grow', 'decarbonise', 'improve', 'diversify',
        'protect', 'transform', 'upgrade', 'localise', 'rebrand', 'simplify', 'future-proof',
        'strengthen', 'relaunch', 'internationalise'];
    things text[] := ARRAY[
        'supply chains', 'operations', 'production lines', 'product ranges',
        'distribution networks', 'IT estates', 'export sales', 'customer service', 'brands',
        'facilities', 'workforce', 'data platforms', 'websites', 'fleets', 'warehouses',
        'sales channels', 'compliance processes', 'energy use', 'packaging', 'maintenance regimes'];
    praise text[] := ARRAY[
        'professional', 'responsive', 'knowledgeable', 'helpful', 'reliable', 'excellent',
        'outstanding', 'proactive', 'supportive', 'efficient', 'flexible', 'thorough',
        'friendly', 'impressive'];
    tld text[] := ARRAY['.co.uk', '.co.uk', '.co.uk', '.com', '.com', '.uk', '.org.uk', '.net'];
    ch_prefixes text[] := ARRAY['SC', 'NI', 'OC', 'SO', 'NC', 'LP', 'SL', 'SE', 'FC', 'IP'];

    -- sentence templates (format() positional arguments, see the pool queries below)
    desc_templates text[] := ARRAY[
        'We are a %1$s %2$s business based in %6$s, serving %4$s across %5$s and %12$s.',
        'Our team of %7$s specialists delivers %1$s %2$s and %3$s to %4$s.',
        'Since %8$s we have helped %4$s to %9$s their %10$s.',
        'We design, manufacture and supply %11$s %2$s for %4$s in %5$s.',
        'Our services include %2$s, %3$s and %13$s.',
        'We export to more than %7$s countries, with particular strength in %5$s and %12$s.',
        'Accredited to ISO 9001 and ISO 14001, we offer %1$s %2$s backed by %11$s after-sales support.',
        'Working closely with %4$s, we provide %11$s solutions that %9$s their %10$s.',
        'Our %1$s approach to %2$s has won awards in %6$s and %5$s.',
        'From our headquarters in %6$s we manage %3$s projects for %4$s throughout %5$s.',
        'We have delivered more than %7$s %2$s projects for %4$s since %8$s.',
        'Every %2$s project is managed by an experienced engineer and supported by a %1$s quality team.',
        'Clients choose us for %1$s %2$s, %11$s %3$s and fast delivery to %5$s.',
        'We are looking for distributors and agents in %5$s and %12$s.',
        'Our research and development team works with universities in %6$s on %11$s %3$s.',
        'We hold stock of over %7$s product lines and dispatch %2$s to %5$s within 48 hours.',
        'Our %2$s is used by %4$s in %5$s, %12$s and across the UK.',
        'The company was founded in %8$s in %6$s and now employs %7$s people.',
        'We help %4$s %9$s their %10$s through %1$s %3$s.',
        'Sustainability is central to our work: our %2$s is %11$s and %1$s.',
        'As a %1$s partner we combine %2$s with %13$s to give %4$s a single point of contact.',
        'Our %11$s %3$s service is available to %4$s in %5$s under long-term framework agreements.',
        'We invest heavily in training, and our %2$s engineers hold industry qualifications.',
        'Recent contracts include %2$s for %4$s in %5$s and %3$s for %4$s in %12$s.'];
    testimonial_templates text[] := ARRAY[
        'The team were %1$s from start to finish and delivered our %2$s project on time and on budget.',
        'Their %2$s expertise helped us to %4$s our %5$s in %6$s.',
        'We have worked with them for %7$s years and would recommend their %2$s to any business.',
        'Their %3$s made a real difference to our %5$s.',
        'A %1$s partner who really understands the needs of %8$s.',
        'Thanks to their support we opened new markets in %6$s within %7$s months.',
        'The quality of their %2$s is outstanding and their staff are always %1$s.',
        'We saw a %9$s per cent increase in export sales after the project.',
        'Nothing was too much trouble, and the results speak for themselves.',
        'I would not hesitate to recommend them to other %8$s looking for %2$s.'];
    title_templates text[] := ARRAY[
        '%2$s for %4$s in %5$s', 'Delivering %1$s %2$s to %4$s',
        'How we helped %4$s %9$s their %10$s', '%1$s %2$s project in %5$s',
        'Supplying %2$s to %4$s in %5$s', 'Export success: %2$s in %5$s',
        'A %1$s %3$s programme for %4$s', 'New %2$s contract in %5$s'];
    caption_templates text[] := ARRAY[
        'Our %2$s team at work in %5$s', 'Installation of %1$s %2$s for %4$s',
        '%2$s on site in %6$s', 'The finished %2$s project', 'Product launch in %5$s',
        'Our team with the client in %5$s', 'Testing %2$s at our %6$s facility',
        'Trade mission to %5$s'];

    -- ---------------------------------------------------------------- pools (built per call)
    desc_blob bytea;          -- business sentences, space separated
    desc_off integer[];       -- desc_off[j] = byte offset of sentence j; one extra at the end
    desc_n integer;
    testi_blob bytea;
    testi_off integer[];
    testi_n integer;
    title_pool jsonb;         -- jsonb arrays: O(1) element access
    caption_pool jsonb;
    keyword_pool jsonb;
    sectors_pool jsonb;
    industries_pool jsonb;
    regions_pool jsonb;
    countries_pool jsonb;
    languages_pool jsonb;
    services_pool jsonb;
    -- pool sizes grow with n (small calls stay fast), capped
    sentence_pool_n integer := greatest(2000, 10 * least(n, 4000));
    pool_n integer := least(8192, greatest(512, n));         -- short strings
    list_pool_n integer := least(4096, greatest(512, n));    -- code lists, products and services
    country_w double precision[];
    language_w double precision[];
    region_w double precision[];
    sentences text[];

    base_id integer;
    base_cs_id integer;
    cs_count bigint;
    t0 timestamptz := clock_timestamp();
BEGIN
    IF n IS NULL OR n < 0 THEN
        RAISE EXCEPTION 'generate_companies: n must be >= 0, got %', n;
    END IF;
    IF seed IS NULL OR seed < -1 OR seed > 1 THEN
        RAISE EXCEPTION 'generate_companies: seed must be in [-1, 1], got %', seed;
    END IF;
    IF n = 0 THEN
        RETURN 0;
    END IF;

    -- one backend, rows in generate_series order: the random() sequence is reproducible
    PERFORM set_config('max_parallel_workers_per_gather', '0', true);
    PERFORM set_config('synchronize_seqscans', 'off', true);
    PERFORM set_config('jit', 'off', true);  -- compiling these wide queries costs more than it saves
    -- storage only (not the rows): lz4 TOAST compression is much cheaper than pglz for the
    -- long texts; ignored where the server was built without lz4
    BEGIN
        PERFORM set_config('default_toast_compression', 'lz4', true);
    EXCEPTION WHEN OTHERS THEN
        NULL;
    END;
    PERFORM setseed(seed);

    -- sampling weights of the code lists: popular codes are drawn more often
    country_w := ARRAY(SELECT CASE WHEN c = ANY (common_countries) THEN 10 ELSE 1 END
                       FROM unnest(countries) WITH ORDINALITY AS u(c, o) ORDER BY o);
    language_w := ARRAY(SELECT CASE WHEN c = ANY (common_languages) THEN 25 ELSE 1 END
                        FROM unnest(languages) WITH ORDINALITY AS u(c, o) ORDER BY o);
    region_w := ARRAY(SELECT CASE WHEN c = ANY (common_regions) THEN 2 ELSE 1 END
                      FROM unnest(regions) WITH ORDINALITY AS u(c, o) ORDER BY o);

    SELECT coalesce(max(id), 0) INTO base_id FROM company_company;
    SELECT coalesce(max(id), 0) INTO base_cs_id FROM company_companycasestudy;

    -- ------------------------------------------------------------ sentence pools
    sentences := ARRAY(
        SELECT format(desc_templates[1 + floor(random() * array_length(desc_templates, 1))::int],
                      adjectives[1 + floor(random() * array_length(adjectives, 1))::int],
                      products[1 + floor(random() * array_length(products, 1))::int],
                      products[1 + floor(random() * array_length(products, 1))::int],
                      customers[1 + floor(random() * array_length(customers, 1))::int],
                      markets[1 + floor(random() * array_length(markets, 1))::int],
                      uk_places[1 + floor(random() * array_length(uk_places, 1))::int],
                      (5 + floor(random() * 296))::int,
                      (1950 + floor(random() * 73))::int,
                      verbs[1 + floor(random() * array_length(verbs, 1))::int],
                      things[1 + floor(random() * array_length(things, 1))::int],
                      adjectives[1 + floor(random() * array_length(adjectives, 1))::int],
                      markets[1 + floor(random() * array_length(markets, 1))::int],
                      products[1 + floor(random() * array_length(products, 1))::int])
        FROM generate_series(1, sentence_pool_n) AS g(i));
    -- capitalise the first letter (templates may start with a placeholder)
    sentences := ARRAY(SELECT upper(left(s, 1)) || substr(s, 2)
                       FROM unnest(sentences) WITH ORDINALITY AS u(s, o) ORDER BY o);
    desc_n := sentence_pool_n;
    desc_blob := convert_to(array_to_string(sentences, ' ') || ' ', 'UTF8');
    desc_off := ARRAY(
        SELECT 1 + coalesce(sum(octet_length(s) + 1) OVER (ORDER BY o ROWS BETWEEN UNBOUNDED
                                                            PRECEDING AND 1 PRECEDING), 0)::int
        FROM unnest(sentences) WITH ORDINALITY AS u(s, o) ORDER BY o)
        || (octet_length(desc_blob) + 1);

    sentences := ARRAY(
        SELECT format(testimonial_templates[1 + floor(random() * array_length(testimonial_templates, 1))::int],
                      praise[1 + floor(random() * array_length(praise, 1))::int],
                      products[1 + floor(random() * array_length(products, 1))::int],
                      products[1 + floor(random() * array_length(products, 1))::int],
                      verbs[1 + floor(random() * array_length(verbs, 1))::int],
                      things[1 + floor(random() * array_length(things, 1))::int],
                      markets[1 + floor(random() * array_length(markets, 1))::int],
                      (2 + floor(random() * 18))::int,
                      customers[1 + floor(random() * array_length(customers, 1))::int],
                      (10 + floor(random() * 190))::int)
        FROM generate_series(1, sentence_pool_n / 5) AS g(i));
    testi_n := sentence_pool_n / 5;
    testi_blob := convert_to(array_to_string(sentences, ' ') || ' ', 'UTF8');
    testi_off := ARRAY(
        SELECT 1 + coalesce(sum(octet_length(s) + 1) OVER (ORDER BY o ROWS BETWEEN UNBOUNDED
                                                            PRECEDING AND 1 PRECEDING), 0)::int
        FROM unnest(sentences) WITH ORDINALITY AS u(s, o) ORDER BY o)
        || (octet_length(testi_blob) + 1);
    sentences := NULL;

    -- ------------------------------------------------------------ short-string pools
    title_pool := to_jsonb(ARRAY(
        SELECT left(upper(left(t, 1)) || substr(t, 2), 100)
        FROM (SELECT format(title_templates[1 + floor(random() * array_length(title_templates, 1))::int],
                            adjectives[1 + floor(random() * array_length(adjectives, 1))::int],
                            products[1 + floor(random() * array_length(products, 1))::int],
                            products[1 + floor(random() * array_length(products, 1))::int],
                            customers[1 + floor(random() * array_length(customers, 1))::int],
                            markets[1 + floor(random() * array_length(markets, 1))::int],
                            uk_places[1 + floor(random() * array_length(uk_places, 1))::int],
                            NULL, NULL,
                            verbs[1 + floor(random() * array_length(verbs, 1))::int],
                            things[1 + floor(random() * array_length(things, 1))::int]) AS t
              FROM generate_series(1, pool_n) AS g(i) OFFSET 0) x));
    caption_pool := to_jsonb(ARRAY(
        SELECT upper(left(t, 1)) || substr(t, 2)
        FROM (SELECT format(caption_templates[1 + floor(random() * array_length(caption_templates, 1))::int],
                            adjectives[1 + floor(random() * array_length(adjectives, 1))::int],
                            products[1 + floor(random() * array_length(products, 1))::int],
                            NULL,
                            customers[1 + floor(random() * array_length(customers, 1))::int],
                            markets[1 + floor(random() * array_length(markets, 1))::int],
                            uk_places[1 + floor(random() * array_length(uk_places, 1))::int]) AS t
              FROM generate_series(1, pool_n) AS g(i) OFFSET 0) x));
    -- 1-8 distinct comma separated keyword phrases
    keyword_pool := to_jsonb(ARRAY(
        SELECT array_to_string(ARRAY(
                   SELECT p FROM (SELECT p, random() AS w FROM unnest(products) AS u(p) WHERE g.i > 0) s
                   ORDER BY w LIMIT g.k), ', ')
        FROM (SELECT i, 1 + floor(random() * 8)::int AS k
              FROM generate_series(1, pool_n) AS g(i) OFFSET 0) g));

    -- ------------------------------------------------------------ code-list pools
    -- k distinct codes by weighted sampling without replacement (ORDER BY -ln(u)/w), plus
    -- in ~1 % of the non-empty lists one unknown code instead of the last one.
    sectors_pool := to_jsonb(ARRAY(
        SELECT to_jsonb(ARRAY(
                   SELECT c FROM (
                       SELECT c, -ln(1 - random()) / CASE WHEN o <= 39 THEN 4 ELSE 1 END AS w
                       FROM unnest(industries) WITH ORDINALITY AS u(c, o)
                       WHERE g.k > 0) s
                   ORDER BY w LIMIT greatest(0, g.k - CASE WHEN g.u < 0.01 THEN 1 ELSE 0 END))
                   || CASE WHEN g.k > 0 AND g.u < 0.01
                           THEN ARRAY[unknown_industries[1 + floor(g.u * 100 * array_length(unknown_industries, 1))::int]]
                           ELSE '{}'::text[] END)
        FROM (SELECT i, CASE WHEN r < 0.06 THEN 0 WHEN r < 0.60 THEN 1 WHEN r < 0.85 THEN 2 ELSE 3 END AS k,
                     random() AS u
              FROM (SELECT i, random() AS r FROM generate_series(1, list_pool_n) AS i OFFSET 0) a
              OFFSET 0) g));
    industries_pool := to_jsonb(ARRAY(
        SELECT to_jsonb(ARRAY(
                   SELECT c FROM (
                       SELECT c, -ln(1 - random()) / CASE WHEN o <= 39 THEN 4 ELSE 1 END AS w
                       FROM unnest(industries) WITH ORDINALITY AS u(c, o)
                       WHERE g.k > 0) s
                   ORDER BY w LIMIT greatest(0, g.k - CASE WHEN g.u < 0.01 THEN 1 ELSE 0 END))
                   || CASE WHEN g.k > 0 AND g.u < 0.01
                           THEN ARRAY[unknown_industries[1 + floor(g.u * 100 * array_length(unknown_industries, 1))::int]]
                           ELSE '{}'::text[] END)
        FROM (SELECT i, floor(random() * 6)::int AS k, random() AS u
              FROM generate_series(1, list_pool_n) AS i OFFSET 0) g));
    regions_pool := to_jsonb(ARRAY(
        SELECT to_jsonb(ARRAY(
                   SELECT c FROM (
                       SELECT c, -ln(1 - random()) / cw AS w
                       FROM unnest(regions, region_w) AS u(c, cw)
                       WHERE g.k > 0) s
                   ORDER BY w LIMIT greatest(0, g.k - CASE WHEN g.u < 0.01 THEN 1 ELSE 0 END))
                   || CASE WHEN g.k > 0 AND g.u < 0.01 THEN unknown_regions ELSE '{}'::text[] END)
        FROM (SELECT i, floor(random() * 5)::int AS k, random() AS u
              FROM generate_series(1, list_pool_n) AS i OFFSET 0) g));
    countries_pool := to_jsonb(ARRAY(
        SELECT to_jsonb(ARRAY(
                   SELECT c FROM (
                       SELECT c, -ln(1 - random()) / cw AS w
                       FROM unnest(countries, country_w) AS u(c, cw)
                       WHERE g.k > 0) s
                   ORDER BY w LIMIT greatest(0, g.k - CASE WHEN g.u < 0.01 THEN 1 ELSE 0 END))
                   || CASE WHEN g.k > 0 AND g.u < 0.01 THEN unknown_countries ELSE '{}'::text[] END)
        FROM (SELECT i, floor(random() * 7)::int AS k, random() AS u
              FROM generate_series(1, list_pool_n) AS i OFFSET 0) g));
    languages_pool := to_jsonb(ARRAY(
        SELECT to_jsonb(ARRAY(
                   SELECT c FROM (
                       SELECT c, -ln(1 - random()) / cw AS w
                       FROM unnest(languages, language_w) AS u(c, cw)
                       WHERE g.k > 0) s
                   ORDER BY w LIMIT greatest(0, g.k - CASE WHEN g.u < 0.01 THEN 1 ELSE 0 END))
                   || CASE WHEN g.k > 0 AND g.u < 0.01
                           THEN ARRAY[unknown_languages[1 + floor(g.u * 100 * array_length(unknown_languages, 1))::int]]
                           ELSE '{}'::text[] END)
        FROM (SELECT i, floor(random() * 5)::int AS k, random() AS u
              FROM generate_series(1, list_pool_n) AS i OFFSET 0) g));
    -- 0-4 categories, each with 1-5 distinct services
    services_pool := to_jsonb(ARRAY(
        SELECT coalesce((
                   SELECT jsonb_object_agg(cat, to_jsonb(ARRAY(
                              SELECT v FROM (
                                  SELECT v, random() AS w
                                  FROM jsonb_array_elements_text(services -> cat) AS e(v)) e
                              ORDER BY w
                              LIMIT 1 + floor(random() * 5)::int)))
                   FROM (SELECT cat FROM (
                             SELECT cat, random() AS w
                             FROM jsonb_object_keys(services) AS c(cat)
                             WHERE g.k > 0) c
                         ORDER BY w LIMIT g.k) cats),
               '{}'::jsonb)
        FROM (SELECT i, CASE WHEN r < 0.40 THEN 0 WHEN r < 0.65 THEN 1 WHEN r < 0.85 THEN 2
                             WHEN r < 0.95 THEN 3 ELSE 4 END AS k
              FROM (SELECT i, random() AS r FROM generate_series(1, list_pool_n) AS i OFFSET 0) a
              OFFSET 0) g));

    RAISE DEBUG 'generate_companies: pools built in %', clock_timestamp() - t0;
    t0 := clock_timestamp();
    -- ------------------------------------------------------------ companies
    -- Levels (each OFFSET 0, so nothing is pulled up and evaluated twice):
    --   q: every random() of a row, in generate_series order
    --   p: type, publication flags and text sizes derived from q
    --   r: name and raw texts (runs of consecutive pool sentences: one substring each)
    --   t: slug and Companies House number
    INSERT INTO company_company (
        id, created, modified, name, number, company_type, summary, description, employees,
        keywords, website, twitter_url, facebook_url, linkedin_url, logo, slug, date_of_creation,
        sectors, expertise_industries, expertise_regions, expertise_countries,
        expertise_languages, expertise_products_services, is_published_find_a_supplier,
        is_published_investment_support_directory, is_showcase_company, email_address,
        mobile_number, postal_full_name, address_line_1, address_line_2, locality, country,
        postal_code, po_box, email_full_name, verification_code)
    SELECT
        t.id,
        timestamptz '2016-10-01 00:00:00+00' + make_interval(secs => t.created_s),
        timestamptz '2016-10-01 00:00:00+00'
            + make_interval(secs => t.created_s + t.r_modified * t.r_modified * (280000000 - t.created_s)),
        t.name,
        CASE
            WHEN t.company_type = 'COMPANIES_HOUSE' AND t.r_number < 0.01 THEN NULL
            WHEN t.company_type <> 'COMPANIES_HOUSE' AND t.r_number < 0.60 THEN NULL
            -- 8 digits, or a 2-letter prefix + 6 digits (SC123456): unique per id
            WHEN left(t.num8, 1) = '0' THEN ch_prefixes[substr(t.num8, 2, 1)::int + 1] || substr(t.num8, 3)
            ELSE t.num8
        END,
        t.company_type,
        CASE WHEN octet_length(t.summary_raw) <= 250 THEN t.summary_raw
             ELSE substring(left(t.summary_raw, 250) FROM '^(.*\.)') END,
        CASE WHEN octet_length(t.description_raw) <= 2000 THEN t.description_raw
             ELSE substring(left(t.description_raw, 2000) FROM '^(.*\.)') END,
        CASE
            WHEN t.r_employees < 0.08 THEN ''
            WHEN t.r_employees < 0.45 THEN '1-10'
            WHEN t.r_employees < 0.72 THEN '11-50'
            WHEN t.r_employees < 0.86 THEN '51-200'
            WHEN t.r_employees < 0.93 THEN '201-500'
            WHEN t.r_employees < 0.96 THEN '501-1000'
            WHEN t.r_employees < 0.99 THEN '1001-10000'
            ELSE '10001+'
        END,
        CASE WHEN t.r_keywords < 0.15 THEN '' ELSE keyword_pool ->> t.kw_j END,
        CASE WHEN t.r_website < 0.12 THEN ''
             ELSE 'https://www.' || replace(t.slug, '-', '') || tld[1 + floor(t.r_tld * array_length(tld, 1))::int] END,
        CASE WHEN t.r_twitter < 0.30 THEN 'https://twitter.com/' || left(replace(t.slug, '-', ''), 15) ELSE '' END,
        CASE WHEN t.r_facebook < 0.25 THEN 'https://www.facebook.com/' || replace(t.slug, '-', '') ELSE '' END,
        CASE WHEN t.r_linkedin < 0.45 THEN 'https://www.linkedin.com/company/' || t.slug ELSE '' END,
        CASE WHEN t.r_logo < 0.55 THEN 'company_logos/' || md5(floor(t.r_logo * 1e15)::bigint || '-' || t.id) || '.png' ELSE '' END,
        t.slug,
        CASE WHEN t.r_doc < (CASE WHEN t.company_type = 'COMPANIES_HOUSE' THEN 0.08 ELSE 0.50 END) THEN NULL
             ELSE date '2023-12-31' - floor(t.r_doc_age * t.r_doc_age * 22000)::int END,
        sectors_pool -> t.sec_j,
        industries_pool -> t.ind_j,
        regions_pool -> t.reg_j,
        countries_pool -> t.cty_j,
        languages_pool -> t.lang_j,
        services_pool -> t.ps_j,
        t.fas,
        t.isd,
        (t.fas OR t.isd) AND t.r_showcase < 0.03,
        'private-' || t.id || '@example.invalid',
        'private-mobile-' || t.id,
        'private-postal-name-' || t.id,
        'private-address-1-' || t.id,
        'private-address-2-' || t.id,
        'private-locality-' || t.id,
        'private-country-' || t.id,
        'private-postcode-' || t.id,
        'private-po-box-' || t.id,
        'private-email-name-' || t.id,
        'private-vc-' || lpad(floor(t.r_vc * 1e12)::bigint::text, 12, '0')
    FROM (
        SELECT r.*,
               lpad(((r.id::bigint * 7919) % 100000000)::text, 8, '0') AS num8,
               left(trim(BOTH '-' FROM lower(regexp_replace(r.name, '[^A-Za-z0-9]+', '-', 'g'))), 50) AS slug
        FROM (
            SELECT p.*,
                   CASE p.company_type
                       WHEN 'SOLE_TRADER' THEN
                           first_names[1 + floor(p.r_n1 * array_length(first_names, 1))::int] || ' '
                           || surnames[1 + floor(p.r_n2 * array_length(surnames, 1))::int] || ' '
                           || name_second[1 + floor(p.r_n3 * array_length(name_second, 1))::int]
                       WHEN 'PARTNERSHIP' THEN
                           surnames[1 + floor(p.r_n1 * array_length(surnames, 1))::int]
                           || CASE WHEN p.r_suffix < 0.5
                                   THEN ' & ' || surnames[1 + floor(p.r_n2 * array_length(surnames, 1))::int] || ' LLP'
                                   ELSE ' ' || name_second[1 + floor(p.r_n3 * array_length(name_second, 1))::int] || ' Partners LLP' END
                       WHEN 'CHARITY' THEN
                           name_first[1 + floor(p.r_n1 * array_length(name_first, 1))::int] || ' '
                           || name_second[1 + floor(p.r_n3 * array_length(name_second, 1))::int]
                           || CASE WHEN p.r_suffix < 0.5 THEN ' Trust' ELSE ' Foundation' END
                       ELSE
                           name_first[1 + floor(p.r_n1 * array_length(name_first, 1))::int] || ' '
                           || name_second[1 + floor(p.r_n3 * array_length(name_second, 1))::int]
                           || CASE WHEN p.r_suffix < 0.62 THEN ' Ltd'
                                   WHEN p.r_suffix < 0.85 THEN ' Limited'
                                   WHEN p.r_suffix < 0.90 THEN ' Group Ltd'
                                   WHEN p.r_suffix < 0.93 THEN ' UK Ltd'
                                   WHEN p.r_suffix < 0.95 THEN ' PLC'
                                   WHEN p.r_suffix < 0.97
                                       THEN ' (' || uk_places[1 + floor(p.r_n2 * array_length(uk_places, 1))::int] || ') Ltd'
                                   ELSE ' Ltd.' END
                   END AS name,
                   CASE WHEN p.has_summary THEN
                       convert_from(substring(desc_blob FROM desc_off[p.sum_j]
                                              FOR desc_off[p.sum_j + p.sum_k] - desc_off[p.sum_j] - 1), 'UTF8')
                   ELSE '' END AS summary_raw,
                   CASE WHEN p.has_description THEN
                       concat_ws(E'\n\n',
                           convert_from(substring(desc_blob FROM desc_off[p.d1_j]
                                                  FOR desc_off[p.d1_j + p.d1_k] - desc_off[p.d1_j] - 1), 'UTF8'),
                           CASE WHEN p.d2_k > 0 THEN
                               convert_from(substring(desc_blob FROM desc_off[p.d2_j]
                                                      FOR desc_off[p.d2_j + p.d2_k] - desc_off[p.d2_j] - 1), 'UTF8')
                           END)
                   ELSE '' END AS description_raw
            FROM (
                SELECT q.*,
                       CASE WHEN q.r_type < 0.85 THEN 'COMPANIES_HOUSE'
                            WHEN q.r_type < 0.91 THEN 'SOLE_TRADER'
                            WHEN q.r_type < 0.94 THEN 'PARTNERSHIP'
                            WHEN q.r_type < 0.96 THEN 'CHARITY'
                            ELSE 'OTHER' END AS company_type,
                       -- [0, .52) FAS only, [.52, .66) both, [.66, .74) ISD only, rest unpublished
                       q.r_pub < 0.66 AS fas,
                       q.r_pub >= 0.52 AND q.r_pub < 0.74 AS isd,
                       -- a published profile always has a description or a summary
                       CASE WHEN q.r_pub < 0.74 THEN q.r_desc >= 0.05 ELSE q.r_desc >= 0.30 END AS has_description,
                       (q.r_pub < 0.74 AND q.r_desc < 0.05) OR q.r_sum >= 0.12 AS has_summary,
                       (1 + floor(q.r_sum_k * 2))::int AS sum_k,
                       (4 + floor(q.r_d1_k * 11))::int AS d1_k,
                       CASE WHEN q.r_d2 < 0.70 THEN (2 + floor(q.r_d2_k * 8))::int ELSE 0 END AS d2_k
                FROM (
                    SELECT base_id + g.i AS id,
                           random() AS r_type, random() AS r_pub, random() AS r_showcase,
                           random() AS r_n1, random() AS r_n2, random() AS r_n3, random() AS r_suffix,
                           random() AS r_number, random() AS r_employees,
                           random() * 268000000 AS created_s, random() AS r_modified,
                           random() AS r_doc, random() AS r_doc_age,
                           random() AS r_sum, random() AS r_sum_k,
                           1 + floor(random() * (desc_n - 2))::int AS sum_j,
                           random() AS r_desc, random() AS r_d1_k,
                           1 + floor(random() * (desc_n - 15))::int AS d1_j,
                           random() AS r_d2, random() AS r_d2_k,
                           1 + floor(random() * (desc_n - 10))::int AS d2_j,
                           random() AS r_keywords, floor(random() * pool_n)::int AS kw_j,
                           random() AS r_website, random() AS r_tld, random() AS r_twitter,
                           random() AS r_facebook, random() AS r_linkedin, random() AS r_logo,
                           floor(random() * list_pool_n)::int AS sec_j,
                           floor(random() * list_pool_n)::int AS ind_j,
                           floor(random() * list_pool_n)::int AS reg_j,
                           floor(random() * list_pool_n)::int AS cty_j,
                           floor(random() * list_pool_n)::int AS lang_j,
                           floor(random() * list_pool_n)::int AS ps_j,
                           random() AS r_vc
                    FROM generate_series(1, n) AS g(i)
                    OFFSET 0
                ) q
                OFFSET 0
            ) p
            OFFSET 0
        ) r
        OFFSET 0
    ) t;

    RAISE DEBUG 'generate_companies: companies inserted in %', clock_timestamp() - t0;
    t0 := clock_timestamp();
    -- ------------------------------------------------------------ case studies
    -- Read back the new companies in id order (ORDER BY id; seq scans not synchronised):
    -- 0-5 case studies each, more for published companies; ids follow (company id, j).
    INSERT INTO company_companycasestudy (
        id, company_id, created, modified, title, short_summary, description, sector, website,
        keywords, image_one, image_two, image_three, video_one, image_one_caption,
        image_two_caption, image_three_caption, testimonial, testimonial_name,
        testimonial_job_title, testimonial_company, slug, is_published_case_study)
    SELECT
        t.id,
        t.company_id,
        t.cs_created,
        t.cs_created + make_interval(secs => t.r_modified * t.r_modified * (t.rem_s - t.off_s)),
        t.title,
        CASE WHEN octet_length(t.short_summary_raw) <= 200 THEN t.short_summary_raw
             ELSE substring(left(t.short_summary_raw, 200) FROM '^(.*\.)') END,
        CASE WHEN octet_length(t.description_raw) <= 1000 THEN t.description_raw
             ELSE substring(left(t.description_raw, 1000) FROM '^(.*\.)') END,
        CASE WHEN t.r_sector < 0.75 AND jsonb_array_length(t.c_sectors) > 0
                 THEN t.c_sectors ->> floor(t.r_sector / 0.75 * jsonb_array_length(t.c_sectors))::int
             ELSE industries[1 + floor(t.r_sector_any * 39)::int] END,
        CASE WHEN t.r_website < 0.35 AND t.c_website <> '' THEN left(t.c_website || '/case-studies/' || t.slug, 255) ELSE '' END,
        keyword_pool ->> t.kw_j,
        CASE WHEN t.r_img1 < 0.65 THEN 'supplier_case_study/' || md5(floor(t.r_img1 * 1e15)::bigint || '-' || t.id) || '.jpg' ELSE '' END,
        CASE WHEN t.r_img2 < 0.40 THEN 'supplier_case_study/' || md5(floor(t.r_img2 * 1e15)::bigint || '-' || t.id) || '.jpg' ELSE '' END,
        CASE WHEN t.r_img3 < 0.25 THEN 'supplier_case_study/' || md5(floor(t.r_img3 * 1e15)::bigint || '-' || t.id) || '.jpg' ELSE '' END,
        CASE WHEN t.r_video < 0.05 THEN 'supplier_case_study/' || md5(floor(t.r_video * 1e15)::bigint || '-' || t.id) || '.mp4' ELSE '' END,
        CASE WHEN t.r_img1 < 0.65 * 0.85 THEN caption_pool ->> t.cap1_j ELSE '' END,
        CASE WHEN t.r_img2 < 0.40 * 0.85 THEN caption_pool ->> t.cap2_j ELSE '' END,
        CASE WHEN t.r_img3 < 0.25 * 0.85 THEN caption_pool ->> t.cap3_j ELSE '' END,
        CASE WHEN octet_length(t.testimonial_raw) <= 1000 THEN t.testimonial_raw
             ELSE substring(left(t.testimonial_raw, 1000) FROM '^(.*\.)') END,
        CASE WHEN t.has_testimonial AND t.r_tname < 0.90
                 THEN first_names[1 + floor(t.r_tn1 * array_length(first_names, 1))::int] || ' '
                      || surnames[1 + floor(t.r_tn2 * array_length(surnames, 1))::int]
             ELSE '' END,
        CASE WHEN t.has_testimonial AND t.r_tjob < 0.85
                 THEN job_titles[1 + floor(t.r_tjob / 0.85 * array_length(job_titles, 1))::int]
             ELSE '' END,
        CASE WHEN t.has_testimonial AND t.r_tcomp < 0.80
                 THEN name_first[1 + floor(t.r_tn2 * array_length(name_first, 1))::int] || ' '
                      || name_second[1 + floor(t.r_tcomp / 0.80 * array_length(name_second, 1))::int]
                      || CASE WHEN t.r_tn1 < 0.7 THEN ' Ltd' ELSE ' Limited' END
             ELSE '' END,
        t.slug,
        t.r_published < 0.80
    FROM (
        SELECT s.*,
               left(trim(BOTH '-' FROM lower(regexp_replace(s.title, '[^A-Za-z0-9]+', '-', 'g'))), 50) AS slug,
               s.r_created * 0.7 * s.rem_s AS off_s,
               s.c_created + make_interval(secs => s.r_created * 0.7 * s.rem_s) AS cs_created
        FROM (
            SELECT x.*,
                   title_pool ->> x.title_j AS title,
                   CASE WHEN x.r_short < 0.10 THEN ''
                        ELSE convert_from(substring(desc_blob FROM desc_off[x.short_j]
                                                    FOR desc_off[x.short_j + x.short_k] - desc_off[x.short_j] - 1), 'UTF8')
                   END AS short_summary_raw,
                   convert_from(substring(desc_blob FROM desc_off[x.desc_j]
                                          FOR desc_off[x.desc_j + x.desc_k] - desc_off[x.desc_j] - 1), 'UTF8')
                       AS description_raw,
                   x.r_testimonial < 0.60 AS has_testimonial,
                   CASE WHEN x.r_testimonial < 0.60 THEN
                       convert_from(substring(testi_blob FROM testi_off[x.testi_j]
                                              FOR testi_off[x.testi_j + x.testi_k] - testi_off[x.testi_j] - 1), 'UTF8')
                   ELSE '' END AS testimonial_raw,
                   extract(epoch FROM timestamptz '2025-06-30 00:00:00+00' - x.c_created)::float8 AS rem_s
            FROM (
                SELECT base_cs_id + row_number() OVER () AS id,
                       c.company_id, c.c_created, c.c_sectors, c.c_website, cs.j,
                       floor(random() * pool_n)::int AS title_j,
                       random() AS r_short,
                       1 + floor(random() * (desc_n - 3))::int AS short_j,
                       (1 + floor(random() * random() * 3))::int AS short_k,
                       1 + floor(random() * (desc_n - 11))::int AS desc_j,
                       (3 + floor(random() * 8))::int AS desc_k,
                       random() AS r_testimonial,
                       1 + floor(random() * (testi_n - 6))::int AS testi_j,
                       (1 + floor(random() * 5))::int AS testi_k,
                       random() AS r_created, random() AS r_modified,
                       random() AS r_sector, random() AS r_sector_any, random() AS r_website,
                       floor(random() * pool_n)::int AS kw_j,
                       random() AS r_img1, random() AS r_img2, random() AS r_img3, random() AS r_video,
                       floor(random() * pool_n)::int AS cap1_j,
                       floor(random() * pool_n)::int AS cap2_j,
                       floor(random() * pool_n)::int AS cap3_j,
                       random() AS r_tname, random() AS r_tn1, random() AS r_tn2,
                       random() AS r_tjob, random() AS r_tcomp,
                       random() AS r_published
                FROM (
                    SELECT cc.id AS company_id, cc.created AS c_created, cc.sectors AS c_sectors,
                           cc.website AS c_website,
                           CASE WHEN cc.published THEN
                                    CASE WHEN cc.r < 0.24 THEN 0 WHEN cc.r < 0.42 THEN 1 WHEN cc.r < 0.59 THEN 2
                                         WHEN cc.r < 0.74 THEN 3 WHEN cc.r < 0.87 THEN 4 ELSE 5 END
                                ELSE
                                    CASE WHEN cc.r < 0.60 THEN 0 WHEN cc.r < 0.78 THEN 1 WHEN cc.r < 0.88 THEN 2
                                         WHEN cc.r < 0.94 THEN 3 WHEN cc.r < 0.98 THEN 4 ELSE 5 END
                           END AS k
                    FROM (
                        SELECT id, created, sectors, website,
                               is_published_find_a_supplier OR is_published_investment_support_directory AS published,
                               random() AS r
                        FROM company_company
                        WHERE id > base_id
                        ORDER BY id
                        OFFSET 0
                    ) cc
                    OFFSET 0
                ) c
                CROSS JOIN LATERAL generate_series(1, c.k) AS cs(j)
                OFFSET 0
            ) x
            OFFSET 0
        ) s
        OFFSET 0
    ) t;

    GET DIAGNOSTICS cs_count = ROW_COUNT;
    RAISE DEBUG 'generate_companies: case studies inserted in %', clock_timestamp() - t0;

    -- keep the serial sequences ahead of the explicit ids
    PERFORM setval(pg_get_serial_sequence('company_company', 'id'), base_id + n);
    IF cs_count > 0 THEN
        PERFORM setval(pg_get_serial_sequence('company_companycasestudy', 'id'), base_cs_id + cs_count);
    END IF;

    RETURN n;
END
$fn$;
