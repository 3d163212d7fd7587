import type { Rng } from './rng.ts';

/**
 * Name pools for believable, diverse people. A person's first and last name come from the same pool
 * so names read as real ones; each location mixes pools in proportions that fit the place.
 */
export interface NamePool {
  first: readonly string[];
  last: readonly string[];
}

const pools = {
  english: {
    first: ['Oliver', 'Amelia', 'Harry', 'Isla', 'Jack', 'Ava', 'George', 'Mia', 'Noah', 'Grace', 'Charlie', 'Freya',
      'Jacob', 'Lily', 'Alfie', 'Emily', 'Thomas', 'Sophie', 'James', 'Chloe', 'William', 'Ellie', 'Joshua', 'Ruby',
      'Daniel', 'Hannah', 'Ryan', 'Megan', 'Liam', 'Jessica', 'Callum', 'Bethany', 'Aaron', 'Zoë', 'Kieran', 'Abigail',
      'Nathan', 'Holly', 'Lewis', 'Rebecca', 'Jordan', 'Danielle', 'Scott', 'Leanne', 'Gary', 'Tracey', 'Dean', 'Nicola'],
    last: ['Smith', 'Jones', 'Taylor', 'Brown', 'Wilson', 'Evans', 'Roberts', 'Walker', 'Wright', 'Robinson', 'Thompson',
      'White', 'Hughes', 'Edwards', 'Green', 'Hall', 'Wood', 'Harris', 'Clarke', 'Jackson', 'Turner', 'Hill', 'Moore',
      'Cooper', 'Ward', 'Morris', 'King', 'Baker', 'Harrison', 'Morgan', 'Atkinson', 'Barker', 'Sutcliffe', 'Holroyd',
      'Ackroyd', 'Firth', 'Haigh', 'Pickles', 'Greenwood', 'Shaw', 'Marsden', 'Brook', 'Lister', 'Whiteley'],
  },
  britishPakistani: {
    first: ['Mohammed', 'Aisha', 'Imran', 'Fatima', 'Bilal', 'Amira', 'Zain', 'Sana', 'Yusuf', 'Maryam', 'Hamza',
      'Saima', 'Asif', 'Rukhsana', 'Tariq', 'Shabana', 'Adeel', 'Hina', 'Usman', 'Nadia'],
    last: ['Khan', 'Hussain', 'Ali', 'Ahmed', 'Iqbal', 'Akhtar', 'Mahmood', 'Rashid', 'Malik', 'Aziz', 'Butt', 'Bashir',
      'Javed', 'Anwar'],
  },
  britishIndian: {
    first: ['Harpreet', 'Jaspreet', 'Gurpreet', 'Simran', 'Manjit', 'Rajinder', 'Priya', 'Arjun', 'Anjali', 'Rohan',
      'Kiran', 'Nikesh', 'Hetal', 'Dipesh', 'Bhavna', 'Sunil'],
    last: ['Patel', 'Singh', 'Kaur', 'Sharma', 'Bains', 'Sandhu', 'Gill', 'Chauhan', 'Mistry', 'Parmar', 'Lad', 'Dhillon'],
  },
  polish: {
    first: ['Kacper', 'Zofia', 'Jakub', 'Agnieszka', 'Tomasz', 'Katarzyna', 'Marek', 'Ewa', 'Paweł', 'Magdalena',
      'Krzysztof', 'Monika', 'Łukasz', 'Joanna'],
    last: ['Nowak', 'Kowalczyk', 'Wójcik', 'Mazur', 'Krawczyk', 'Zając', 'Król', 'Wieczorek', 'Kaczmarek', 'Dudek',
      'Sikora', 'Baran'],
  },
  romanian: {
    first: ['Andrei', 'Ioana', 'Vasile', 'Elena', 'Mihai', 'Alina', 'Bogdan', 'Cristina', 'Florin', 'Raluca'],
    last: ['Popescu', 'Ionescu', 'Constantin', 'Dumitru', 'Stan', 'Stoica', 'Munteanu', 'Gheorghe', 'Rusu', 'Marin'],
  },
  nigerian: {
    first: ['Chidi', 'Ngozi', 'Emeka', 'Adaeze', 'Tunde', 'Folake', 'Chiamaka', 'Obinna', 'Funmilayo', 'Segun', 'Bisola',
      'Ifeoma'],
    last: ['Okafor', 'Adeyemi', 'Okonkwo', 'Adebayo', 'Eze', 'Nwosu', 'Balogun', 'Oyelaran', 'Chukwu', 'Afolabi'],
  },
  ghanaian: {
    first: ['Kwame', 'Abena', 'Kofi', 'Ama', 'Yaw', 'Efua', 'Kwabena', 'Akosua', 'Kojo', 'Adwoa'],
    last: ['Mensah', 'Osei', 'Boateng', 'Asante', 'Owusu', 'Danso', 'Appiah', 'Amoah', 'Agyeman'],
  },
  irishScottish: {
    first: ['Siobhán', 'Ciaran', 'Aoife', 'Sean', 'Niamh', 'Conor', 'Orla', 'Declan', 'Fiona', 'Euan', 'Eilidh',
      'Ruairi', 'Caitlin', 'Fraser', 'Mhairi', 'Padraig'],
    last: ["O'Brien", "O'Connor", 'Murphy', 'Kelly', 'McDonald', 'Campbell', 'Byrne', 'Doyle', 'MacLeod', 'Fraser',
      'Quinn', 'Gallagher', 'Ross', 'Sweeney', 'Mackenzie', 'Walsh'],
  },
  american: {
    first: ['Emma', 'Michael', 'Olivia', 'Ethan', 'Madison', 'Tyler', 'Ashley', 'Brandon', 'Kayla', 'Austin', 'Brittany',
      'Kevin', 'Samantha', 'Justin', 'Taylor', 'Cody', 'Amanda', 'Dylan', 'Heather', 'Travis', 'Courtney', 'Logan',
      'Lauren', 'Hunter', 'Brooke', 'Caleb', 'Kelsey', 'Chase', 'Jenna', 'Mason'],
    last: ['Miller', 'Davis', 'Anderson', 'Martin', 'Thompson', 'Moore', 'Clark', 'Lewis', 'Young', 'Allen', 'Nelson',
      'Carter', 'Mitchell', 'Schmidt', 'Olson', 'Peterson', 'Larson', 'Hansen', 'Sullivan', 'Murphy', 'Baker',
      'Schultz', 'Meyer', 'Becker', 'Collins', 'Stewart', 'Reed', 'Cook'],
  },
  hispanic: {
    first: ['José', 'María', 'Alejandro', 'Lucía', 'Carlos', 'Sofía', 'Javier', 'Valentina', 'Luis', 'Camila', 'Miguel',
      'Gabriela', 'Diego', 'Ximena', 'Juan', 'Daniela', 'Jorge', 'Adriana', 'Ricardo', 'Mariana', 'Fernando', 'Rosa',
      'Eduardo', 'Guadalupe'],
    last: ['García', 'Rodríguez', 'Martínez', 'Hernández', 'López', 'González', 'Pérez', 'Sánchez', 'Ramírez', 'Torres',
      'Flores', 'Rivera', 'Gómez', 'Díaz', 'Reyes', 'Morales', 'Ortiz', 'Castillo', 'Mendoza', 'Vargas', 'Gutiérrez'],
  },
  africanAmerican: {
    first: ['DeShawn', 'Keisha', 'Jamal', 'Aaliyah', 'Marcus', 'Tanisha', 'Darnell', 'Imani', 'Terrence', 'Ebony',
      'Andre', 'Jasmine', 'Malik', 'Latoya', 'Darius', 'Destiny', 'Tyrone', 'Shanice', 'Jerome', 'Monique'],
    last: ['Washington', 'Jackson', 'Johnson', 'Williams', 'Robinson', 'Harris', 'Jefferson', 'Coleman', 'Brooks',
      'Gaines', 'Banks', 'Freeman', 'Henderson', 'Mitchell', 'Simmons', 'Dixon', 'Bryant', 'Holmes'],
  },
  polishAmerican: {
    first: ['Stanley', 'Dorota', 'Frank', 'Barbara', 'Walter', 'Irene', 'Eddie', 'Krystyna', 'Ray', 'Teresa'],
    last: ['Kowalski', 'Nowicki', 'Wisniewski', 'Mazur', 'Sobczak', 'Pawlak', 'Krawczyk', 'Jablonski', 'Grabowski'],
  },
  koreanAmerican: {
    first: ['Kevin', 'Grace', 'Daniel', 'Jenny', 'Min-jun', 'Ji-woo', 'Soo-ah', 'Joon', 'Eunice', 'David'],
    last: ['Kim', 'Lee', 'Park', 'Choi', 'Jung', 'Kang', 'Cho', 'Yoon'],
  },
  chineseAmerican: {
    first: ['Eric', 'Michelle', 'Wei', 'Mei', 'Jason', 'Christine', 'Xin', 'Hao', 'Vivian', 'Kenneth'],
    last: ['Chen', 'Wang', 'Liu', 'Zhang', 'Huang', 'Wu', 'Lin', 'Zhou'],
  },
  vietnameseAmerican: {
    first: ['Thanh', 'Linh', 'Minh', 'Thu', 'Duc', 'Hoa', 'Tuan', 'Lan', 'Peter', 'Tina'],
    last: ['Nguyen', 'Tran', 'Pham', 'Le', 'Hoang', 'Vu', 'Dang', 'Bui'],
  },
  indianAmerican: {
    first: ['Rahul', 'Neha', 'Vikram', 'Anita', 'Sanjay', 'Deepa', 'Ravi', 'Swati', 'Nikhil', 'Meera'],
    last: ['Patel', 'Shah', 'Desai', 'Mehta', 'Reddy', 'Rao', 'Iyer', 'Gupta', 'Bhatt', 'Kapoor'],
  },
  marathi: {
    first: ['Aditya', 'Sanika', 'Omkar', 'Shruti', 'Vaishnavi', 'Pranav', 'Tejas', 'Ketaki', 'Siddharth', 'Gauri',
      'Aniket', 'Rutuja', 'Sagar', 'Pooja', 'Mangesh', 'Ashwini', 'Rohit', 'Madhura', 'Nilesh', 'Sayali', 'Prasad',
      'Manasi', 'Vishal', 'Snehal', 'Amol', 'Prajakta', 'Tushar', 'Revati'],
    last: ['Deshmukh', 'Kulkarni', 'Patil', 'Joshi', 'Jadhav', 'Pawar', 'Shinde', 'Gokhale', 'Bhosale', 'Kale', 'Apte',
      'Chavan', 'Deshpande', 'Gaikwad', 'Kadam', 'More', 'Salunkhe', 'Phadke', 'Sawant', 'Wagh', 'Naik', 'Bapat'],
  },
  northIndian: {
    first: ['Rahul', 'Neha', 'Amit', 'Priyanka', 'Vikas', 'Anjali', 'Saurabh', 'Ritu', 'Ankit', 'Shivani', 'Deepak',
      'Kavita', 'Manish', 'Nisha', 'Gaurav', 'Swati', 'Abhishek', 'Komal'],
    last: ['Sharma', 'Verma', 'Gupta', 'Agarwal', 'Singh', 'Mishra', 'Yadav', 'Tiwari', 'Srivastava', 'Chauhan',
      'Pandey', 'Saxena', 'Tripathi', 'Rathore'],
  },
  southIndian: {
    first: ['Karthik', 'Lakshmi', 'Venkatesh', 'Divya', 'Arun', 'Kavya', 'Srinivas', 'Anusha', 'Ramesh', 'Meenakshi',
      'Suresh', 'Revathi', 'Harish', 'Sowmya'],
    last: ['Iyer', 'Nair', 'Reddy', 'Menon', 'Pillai', 'Krishnan', 'Rao', 'Subramanian', 'Naidu', 'Hegde', 'Shetty',
      'Raman'],
  },
  puneMuslim: {
    first: ['Farhan', 'Zoya', 'Imtiaz', 'Ayesha', 'Salim', 'Nargis', 'Sameer', 'Rubina', 'Arif', 'Shabnam'],
    last: ['Shaikh', 'Qureshi', 'Pathan', 'Sayed', 'Mulla', 'Inamdar', 'Tamboli', 'Attar'],
  },
  puneParsi: {
    first: ['Rustom', 'Anahita', 'Cyrus', 'Shirin', 'Darius', 'Roshan', 'Jehangir', 'Perizad'],
    last: ['Irani', 'Mistry', 'Wadia', 'Bharucha', 'Poonawalla', 'Contractor', 'Daruwalla', 'Engineer'],
  },
  puneChristian: {
    first: ['Joel', 'Sneha', 'Clinton', 'Sharon', 'Xavier', 'Roshni', 'Neil', 'Glenda', 'Joseph', 'Priscilla'],
    last: ["D'Souza", 'Fernandes', 'Pereira', 'Gonsalves', 'Dsilva', 'Rodrigues', 'Lobo', 'Pinto'],
  },
} satisfies Record<string, NamePool>;

export type NamePoolId = keyof typeof pools;

/** How each demo location's workforce is drawn from the pools. */
export type NameMix = readonly (readonly [NamePoolId, number])[];

export const nameMixes = {
  leeds: [['english', 50], ['britishPakistani', 12], ['britishIndian', 8], ['polish', 8], ['romanian', 4], ['nigerian', 6], ['ghanaian', 4], ['irishScottish', 8]],
  chicago: [['american', 35], ['hispanic', 25], ['africanAmerican', 15], ['koreanAmerican', 4], ['chineseAmerican', 3], ['vietnameseAmerican', 3], ['polishAmerican', 8], ['indianAmerican', 7]],
  pune: [['marathi', 45], ['northIndian', 25], ['southIndian', 15], ['puneMuslim', 8], ['puneParsi', 3], ['puneChristian', 4]],
} satisfies Record<string, NameMix>;

export function randomName(rng: Rng, mix: NameMix): string {
  const pool = pools[rng.weighted(mix)];
  return `${rng.pick(pool.first)} ${rng.pick(pool.last)}`;
}

/** A name nobody in `taken` has yet; the set is updated. */
export function uniqueName(rng: Rng, mix: NameMix, taken: Set<string>): string {
  for (let attempt = 0; attempt < 200; attempt++) {
    const name = randomName(rng, mix);
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
  // Practically unreachable with these pools; a middle initial still gives a real-looking name.
  const [first, ...rest] = randomName(rng, mix).split(' ');
  const name = `${first} ${String.fromCharCode(65 + rng.int(0, 25))}. ${rest.join(' ')}`;
  taken.add(name);
  return name;
}

const latinFold: Record<string, string> = { ł: 'l', Ł: 'l', ø: 'o', Ø: 'o', đ: 'd', Đ: 'd', ß: 'ss', æ: 'ae' };

/** "Siobhán O'Brien" -> "siobhan.obrien": accents folded, apostrophes dropped, parts joined by dots. */
export function emailLocalPart(name: string): string {
  const parts = name
    .split(/\s+/)
    .map((p) =>
      p
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[łŁøØđĐßæ]/g, (ch) => latinFold[ch] ?? '')
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, ''),
    )
    .filter(Boolean);
  return parts.join('.');
}
