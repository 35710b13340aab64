import sys
class Cache:
    def __init__(s, size, assoc, line):
        s.a=assoc; s.lb=line.bit_length()-1; s.ns=size//line//assoc; s.sets=[[] for _ in range(s.ns)]
    def ref1(s, blk):
        st=s.sets[blk % s.ns]
        if blk in st:
            st.remove(blk); st.insert(0,blk); return False
        st.insert(0,blk)
        if len(st)>s.a: st.pop()
        return True
    def ref(s, a, size, split):
        b1=a>>s.lb; b2=(a+size-1)>>s.lb
        if b1==b2: return [b1] if s.ref1(b1) else []
        m1=s.ref1(b1); m2=s.ref1(b2)
        missed=[b for b,m in ((b1,m1),(b2,m2)) if m]
        return missed
mode=sys.argv[2]  # 'cg' = LL refs whole access on any miss; 'line' = only missed lines
I=Cache(4096,4,64); D=Cache(4096,4,64); L=Cache(32768,8,64)
ilm=dlm=d1=0
for l in open(sys.argv[1]):
    if l[0]=='I': c=I
    elif l[:2] in (' L',' S',' M'): c=D
    else: continue
    a,sz=l[3:].split(','); a=int(a,16); sz=int(sz)
    missed=c.ref(a,sz,0)
    if not missed: continue
    if c is D: d1+=1
    if mode=='cg':
        m=bool(L.ref(a,sz,0))
        if m:
            if c is I: ilm+=1
            else: dlm+=1
    else:
        for b in missed:
            if L.ref1(b):
                if c is I: ilm+=1
                else: dlm+=1
print(mode, 'D1', d1, 'LLd', dlm, 'LLi', ilm)
