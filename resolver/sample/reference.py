"""Reference lists for the sample generator: US-style names, streets and places.

Kept apart from the matcher's own reference data (the nickname table here is a short hand
list, not the `nicknames` package) so that evaluating on sample data does not test the
matcher against itself.
"""

MALE = ("James Robert John Michael David William Richard Joseph Thomas Charles Christopher "
        "Daniel Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian "
        "George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan "
        "Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick "
        "Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter "
        "Kyle Ethan Walter Noah Jeremy Christian Keith Roger Terry Gerald Harold Sean Austin "
        "Carl Arthur Lawrence Dylan Jesse Jordan Bryan Billy Joe Bruce Gabriel Logan Albert "
        "Willie Alan Juan Wayne Elijah Randy Roy Vincent Ralph Eugene Russell Bobby Mason "
        "Philip Louis Carlos Luis Miguel Diego Hiroshi Wei Rajesh Mohammed Ahmed Olumide "
        "Siddharth Tomasz Sean Liam Declan Mateo Santiago").split()
FEMALE = ("Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa "
          "Nancy Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda "
          "Dorothy Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy "
          "Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine Christine "
          "Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce "
          "Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl "
          "Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances Kathryn Janice "
          "Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle Beverly "
          "Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori "
          "Guadalupe Ximena Sofia Valentina Mei Yuki Priya Aisha Fatima Chiamaka Zofia "
          "Siobhan Aoife Renee Zoe Chloe").split()
ACCENTED = {"Jose": "José", "Maria": "María", "Sofia": "Sofía", "Renee": "Renée",
            "Zoe": "Zoë", "Sean": "Seán", "Ximena": "Ximena"}
NICKNAMES = {
    "Robert": ["Bob", "Rob", "Bobby"], "William": ["Bill", "Will", "Billy"],
    "Richard": ["Rick", "Dick", "Rich"], "James": ["Jim", "Jimmy", "Jamie"],
    "John": ["Jack", "Johnny"], "Michael": ["Mike", "Mikey"], "Joseph": ["Joe", "Joey"],
    "Thomas": ["Tom", "Tommy"], "Charles": ["Charlie", "Chuck"], "Christopher": ["Chris"],
    "Daniel": ["Dan", "Danny"], "Matthew": ["Matt"], "Anthony": ["Tony"],
    "Donald": ["Don", "Donnie"], "Steven": ["Steve"], "Andrew": ["Andy", "Drew"],
    "Joshua": ["Josh"], "Kenneth": ["Ken", "Kenny"], "Edward": ["Ed", "Eddie", "Ted"],
    "Timothy": ["Tim"], "Ronald": ["Ron", "Ronnie"], "Jeffrey": ["Jeff"],
    "Nicholas": ["Nick"], "Jonathan": ["Jon"], "Samuel": ["Sam"], "Benjamin": ["Ben"],
    "Gregory": ["Greg"], "Alexander": ["Alex"], "Patrick": ["Pat"], "Lawrence": ["Larry"],
    "Gerald": ["Jerry"], "Peter": ["Pete"], "Zachary": ["Zach"], "Douglas": ["Doug"],
    "Elizabeth": ["Liz", "Beth", "Betsy", "Lizzie"], "Margaret": ["Peggy", "Maggie", "Meg"],
    "Patricia": ["Pat", "Patty", "Trish"], "Jennifer": ["Jen", "Jenny"],
    "Susan": ["Sue", "Susie"], "Deborah": ["Deb", "Debbie"], "Rebecca": ["Becky", "Becca"],
    "Katherine": ["Kate", "Katie", "Kathy"], "Kathleen": ["Kathy", "Kate"],
    "Catherine": ["Cathy", "Cat"], "Christine": ["Chris", "Chrissy"],
    "Jessica": ["Jess", "Jessie"], "Kimberly": ["Kim"], "Pamela": ["Pam"],
    "Samantha": ["Sam"], "Victoria": ["Vicky", "Tori"], "Abigail": ["Abby"],
    "Dorothy": ["Dot", "Dottie"], "Barbara": ["Barb", "Babs"], "Cynthia": ["Cindy"],
    "Judith": ["Judy"], "Frances": ["Fran"], "Theresa": ["Terri", "Tess"],
    "Alexandra": ["Alex"], "Virginia": ["Ginny"], "Jacqueline": ["Jackie"],
}
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
        "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
        "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright "
        "Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell "
        "Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins "
        "Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper "
        "Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez "
        "Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel "
        "Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman "
        "Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson "
        "Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant "
        "Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens "
        "Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman "
        "Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva "
        "Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd "
        "Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols "
        "Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold "
        "Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan "
        "Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins "
        "Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval "
        "O'Brien O'Connor Zabrowski Kowalczyk Nakamura Okafor Abernathy Fitzgerald "
        "Vanderbilt Lindqvist Haddad Gallagher Novak Dubois Rossi Yamamoto Park Choi").split()
MULTIPART_LAST = ["de la Cruz", "van der Berg", "De Luca", "St. John", "Garcia Lopez",
                  "Smith-Jones", "Mac Donald", "von Trapp", "del Rio", "Ben-David"]
STREETS = ("Main Oak Maple Cedar Pine Elm Washington Lake Hill Park Walnut Sunset Ridge "
           "Highland Church Spring Willow Jefferson Lincoln Madison Franklin Jackson Chestnut "
           "Meadow Forest River Valley Adams Cherry Dogwood Hickory Magnolia Birch Sycamore "
           "Laurel Lakeview Country Club Mill Prospect Center Union Broad Market Front Water "
           "Bridge Grove Orchard Spruce Holly Aspen Poplar Mulberry Juniper Locust Cypress "
           "Harbor Bay Canyon Mesa Vista Summit Crest Glen Heritage Liberty Independence "
           "Colonial Kingston Windsor Hampton Stratford Arlington Fairview Greenwood Oakwood "
           "Riverside Woodland Brookside Clearwater Silver Golden Eagle Hawk Falcon Quail "
           "Cardinal Robin Bluebird Sparrow Deer Fox Bear Wolf Buffalo Pioneer Frontier "
           "Ranch Prairie Meadowbrook Kensington Lexington Concord Princeton Yale Harvard "
           "Cambridge Oxford").split()
STREET_TYPES = [("Street", "St"), ("Avenue", "Ave"), ("Road", "Rd"), ("Drive", "Dr"),
                ("Lane", "Ln"), ("Court", "Ct"), ("Boulevard", "Blvd"), ("Place", "Pl"),
                ("Way", "Way"), ("Terrace", "Ter"), ("Circle", "Cir"), ("Parkway", "Pkwy")]
DIRECTIONS = [("North", "N"), ("South", "S"), ("East", "E"), ("West", "W")]
PLACES = [  # city, state code, state name, zip prefix, area codes
    ("Springfield", "IL", "Illinois", "627", ["217"]),
    ("Chicago", "IL", "Illinois", "606", ["312", "773"]),
    ("Tulsa", "OK", "Oklahoma", "741", ["918"]),
    ("Austin", "TX", "Texas", "787", ["512"]),
    ("Houston", "TX", "Texas", "770", ["713", "832"]),
    ("Dallas", "TX", "Texas", "752", ["214", "972"]),
    ("Phoenix", "AZ", "Arizona", "850", ["602"]),
    ("Denver", "CO", "Colorado", "802", ["303", "720"]),
    ("Seattle", "WA", "Washington", "981", ["206"]),
    ("Portland", "OR", "Oregon", "972", ["503"]),
    ("San Diego", "CA", "California", "921", ["619", "858"]),
    ("Los Angeles", "CA", "California", "900", ["213", "323"]),
    ("Sacramento", "CA", "California", "958", ["916"]),
    ("Boston", "MA", "Massachusetts", "021", ["617"]),
    ("Worcester", "MA", "Massachusetts", "016", ["508"]),
    ("New York", "NY", "New York", "100", ["212", "646"]),
    ("Buffalo", "NY", "New York", "142", ["716"]),
    ("Philadelphia", "PA", "Pennsylvania", "191", ["215", "267"]),
    ("Pittsburgh", "PA", "Pennsylvania", "152", ["412"]),
    ("Columbus", "OH", "Ohio", "432", ["614"]),
    ("Cleveland", "OH", "Ohio", "441", ["216"]),
    ("Atlanta", "GA", "Georgia", "303", ["404", "678"]),
    ("Miami", "FL", "Florida", "331", ["305", "786"]),
    ("Orlando", "FL", "Florida", "328", ["407"]),
    ("Tampa", "FL", "Florida", "336", ["813"]),
    ("Charlotte", "NC", "North Carolina", "282", ["704"]),
    ("Raleigh", "NC", "North Carolina", "276", ["919"]),
    ("Nashville", "TN", "Tennessee", "372", ["615"]),
    ("Memphis", "TN", "Tennessee", "381", ["901"]),
    ("Detroit", "MI", "Michigan", "482", ["313"]),
    ("Minneapolis", "MN", "Minnesota", "554", ["612"]),
    ("Madison", "WI", "Wisconsin", "537", ["608"]),
    ("Kansas City", "MO", "Missouri", "641", ["816"]),
    ("St. Louis", "MO", "Missouri", "631", ["314"]),
    ("Omaha", "NE", "Nebraska", "681", ["402"]),
    ("Salt Lake City", "UT", "Utah", "841", ["801"]),
    ("Las Vegas", "NV", "Nevada", "891", ["702"]),
    ("Albuquerque", "NM", "New Mexico", "871", ["505"]),
    ("Baltimore", "MD", "Maryland", "212", ["410"]),
    ("Richmond", "VA", "Virginia", "232", ["804"]),
]
EMAIL_PROVIDERS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com",
                   "icloud.com", "comcast.net", "protonmail.com"]
